namespace DaprShop.Sidecar.State;

/// <summary>
/// The write conditions every backend applies, as components-contrib's in-memory and SQLite stores
/// do: a write with an ETag needs a live item with that ETag; an upsert without an ETag under
/// first-write concurrency needs no live item; anything else passes. A delete without an ETag
/// always passes, as <c>state/sqlite</c> deletes by key alone (components-contrib's in-memory
/// store also refuses a first-write delete of an existing item; that is not followed here, so
/// every backend behaves alike).
/// </summary>
public static class StateConditions
{
    /// <summary>Throws <see cref="StateETagException"/> when <paramref name="operation"/> may not apply.</summary>
    public static void Check(StateOperation operation, string? currentETag)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation.HasETag)
        {
            if (currentETag is null)
            {
                throw new StateETagException(ETagErrorKind.Mismatch, $"state not exist or expired for key={operation.Key}");
            }

            if (!string.Equals(currentETag, operation.ETag, StringComparison.Ordinal))
            {
                throw new StateETagException(
                    ETagErrorKind.Mismatch,
                    $"state etag not match for key={operation.Key}: current={currentETag}, expect={operation.ETag}");
            }

            return;
        }

        if (operation is StateUpsert { Concurrency: StateConcurrency.FirstWrite } && currentETag is not null)
        {
            throw new StateETagException(ETagErrorKind.Mismatch, "item already exists and no etag was passed");
        }
    }
}
