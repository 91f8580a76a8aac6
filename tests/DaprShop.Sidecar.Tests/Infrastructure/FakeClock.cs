using Microsoft.Extensions.Time.Testing;

namespace DaprShop.Sidecar.Tests.Infrastructure;

/// <summary>
/// Moving a sidecar's fake clock (<see cref="SidecarOptions.Time"/>) on instead of waiting for real time. A sidecar on a
/// fake clock waits for nothing by itself: every delay, timer, retry and deadline it has, start-up's included, waits
/// for the test to move the clock.
/// </summary>
public static class FakeClock
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Moves <paramref name="clock"/> on by <paramref name="step"/> until <paramref name="done"/> holds, failing after
    /// <paramref name="timeout"/> of real time. Again and again rather than once: code that reads the clock and then
    /// starts a timer may start it just after a move, and then fires only on the next.
    /// </summary>
    public static async Task AdvanceUntilAsync(this FakeTimeProvider clock, TimeSpan step, Func<bool> done, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(done);
        var started = TimeProvider.System.GetTimestamp();
        while (!done())
        {
            if (TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#}s of moving the clock on by {step} waiting for {what}; the clock reads {clock.GetUtcNow():O}");
            }

            clock.Advance(step);
            await Task.Delay(Poll);
        }
    }
}
