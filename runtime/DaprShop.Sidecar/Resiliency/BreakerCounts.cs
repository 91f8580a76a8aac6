namespace DaprShop.Sidecar.Resiliency;

/// <summary>
/// A circuit breaker's counters in its current state (gobreaker's <c>Counts</c>, which daprd's
/// breaker hands to the <c>trip</c> expression): every admitted request, the successes and failures
/// in total and in a row. They start from zero on every state change and, in the closed state,
/// every <c>interval</c>.
/// </summary>
public readonly record struct BreakerCounts(
    long Requests,
    long TotalSuccesses,
    long TotalFailures,
    long ConsecutiveSuccesses,
    long ConsecutiveFailures)
{
    public BreakerCounts OnRequest() => this with { Requests = Requests + 1 };

    public BreakerCounts OnSuccess() => this with
    {
        TotalSuccesses = TotalSuccesses + 1,
        ConsecutiveSuccesses = ConsecutiveSuccesses + 1,
        ConsecutiveFailures = 0,
    };

    public BreakerCounts OnFailure() => this with
    {
        TotalFailures = TotalFailures + 1,
        ConsecutiveFailures = ConsecutiveFailures + 1,
        ConsecutiveSuccesses = 0,
    };
}
