namespace DaprShop.Sidecar.Resiliency;

/// <summary>
/// An attempt cut by a <c>timeouts</c> policy. daprd runs each attempt under a Go context with
/// the policy's deadline and reports the context's error (dapr/dapr <c>pkg/resiliency/policy.go</c>),
/// whose text is Go's <c>context deadline exceeded</c>; the building blocks put that text in their
/// own errors, as daprd does.
/// </summary>
public sealed class ResiliencyTimeoutException : Exception
{
    /// <summary>Go's <c>context.DeadlineExceeded.Error()</c>.</summary>
    public const string DeadlineExceeded = "context deadline exceeded";

    public ResiliencyTimeoutException()
        : base(DeadlineExceeded)
    {
    }

    public ResiliencyTimeoutException(string message)
        : base(message)
    {
    }

    public ResiliencyTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ResiliencyTimeoutException(TimeSpan timeout, Exception? innerException)
        : base(DeadlineExceeded, innerException)
    {
        Timeout = timeout;
    }

    /// <summary>The policy's timeout for one attempt.</summary>
    public TimeSpan Timeout { get; }
}
