using DaprShop.Sidecar.Resiliency;

namespace DaprShop.Sidecar.Tests.Resiliency;

public sealed class RetryPolicyTests
{
    [Fact]
    public void Create_defaults_are_daprs_constant_5s_forever_with_a_60s_cap()
    {
        var policy = RetryPolicy.Create("r");

        Assert.Equal((BackoffKind.Constant, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), -1L), (policy.Policy, policy.Duration, policy.MaxInterval, policy.MaxRetries));
        Assert.True(policy.Forever);
    }

    [Fact]
    public void DelayBefore_constant_is_always_the_duration()
    {
        var policy = RetryPolicy.Create("r", duration: TimeSpan.FromMilliseconds(250));

        Assert.All(Enumerable.Range(0, 20), retry => Assert.Equal(TimeSpan.FromMilliseconds(250), policy.DelayBefore(retry, Random.Shared.NextDouble())));
    }

    [Fact]
    public void DelayBefore_exponential_grows_by_half_from_500ms_up_to_max_interval()
    {
        var policy = RetryPolicy.Create("r", BackoffKind.Exponential, maxInterval: TimeSpan.FromSeconds(10));

        var delays = Enumerable.Range(0, 10).Select(retry => policy.DelayBefore(retry, 0.5).TotalMilliseconds).ToArray();

        Assert.Equal([500, 750, 1125, 1687.5, 2531.25, 3796.875, 5695.3125, 8542.9687, 10_000, 10_000], delays, new Tolerance(0.001));
    }

    [Fact]
    public void DelayBefore_exponential_randomizes_within_half_of_the_interval_either_way()
    {
        var policy = RetryPolicy.Create("r", BackoffKind.Exponential, maxInterval: TimeSpan.FromSeconds(10));

        Assert.Equal(375, policy.DelayBefore(1, 0).TotalMilliseconds, 3);
        Assert.Equal(1125, policy.DelayBefore(1, 0.999_999_999).TotalMilliseconds, 3);
        Assert.Equal(5000, policy.DelayBefore(30, 0).TotalMilliseconds, 3);
        Assert.Equal(15_000, policy.DelayBefore(30, 0.999_999_999).TotalMilliseconds, 3);
    }

    [Fact]
    public void DelayBefore_exponential_below_the_first_interval_caps_from_the_second_retry()
    {
        var policy = RetryPolicy.Create("r", BackoffKind.Exponential, maxInterval: TimeSpan.FromMilliseconds(50));

        Assert.Equal([500, 50, 50], Enumerable.Range(0, 3).Select(retry => policy.DelayBefore(retry, 0.5).TotalMilliseconds));
    }

    [Theory]
    [InlineData(0, 0, false)]
    [InlineData(3, 2, true)]
    [InlineData(3, 3, false)]
    [InlineData(-1, 1_000_000, true)]
    public void MayRetry_counts_retries_against_max_retries(long maxRetries, int retriesDone, bool expected)
    {
        var policy = RetryPolicy.Create("r", maxRetries: maxRetries);

        Assert.Equal(expected, policy.MayRetry(retriesDone, TimeSpan.FromDays(1)));
    }

    [Fact]
    public void MayRetry_exponential_stops_after_15_minutes_constant_never_does()
    {
        var exponential = RetryPolicy.Create("r", BackoffKind.Exponential);
        var constant = RetryPolicy.Create("r");

        Assert.True(exponential.MayRetry(10, TimeSpan.FromMinutes(15)));
        Assert.False(exponential.MayRetry(10, TimeSpan.FromMinutes(15.1)));
        Assert.True(constant.MayRetry(10, TimeSpan.FromHours(5)));
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;

        public int GetHashCode(double obj) => 0;
    }
}
