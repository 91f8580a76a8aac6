namespace DaprShop.Sidecar.State;

/// <summary>
/// One error for the failed writes of a bulk save or delete, as daprd reports them (dapr/dapr
/// <c>pkg/components/state/operation.go</c> with components-contrib's <c>DoBulkSetDelete</c>): when every failure is
/// an ETag error, an ETag error (invalid when any is invalid, else a mismatch); otherwise a plain error. The messages
/// are joined.
/// </summary>
public static class StateBulkErrors
{
    public static Exception Combine(IReadOnlyList<Exception> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (failures.Count == 1)
        {
            return failures[0];
        }

        var message = string.Join("\n", failures.Select(f => f.Message));
        if (failures.All(f => f is StateETagException))
        {
            var kind = failures.Any(f => f is StateETagException { Kind: ETagErrorKind.Invalid }) ? ETagErrorKind.Invalid : ETagErrorKind.Mismatch;
            return new StateETagException(kind, message);
        }

        return new InvalidOperationException(message, failures[0]);
    }
}
