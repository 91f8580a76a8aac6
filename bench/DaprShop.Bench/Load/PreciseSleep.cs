using System.Diagnostics;
using System.Runtime.InteropServices;

namespace DaprShop.Bench.Load;

/// <summary>
/// Blocks the calling (dedicated) thread until a <see cref="Stopwatch"/> timestamp, to within tens of
/// microseconds on Linux (<c>nanosleep</c>), without spinning. .NET's own timers and sleeps have millisecond
/// granularity, and with them the open model's requests would leave up to a millisecond or two late, lateness
/// that measuring from the intended send time would then count as the shop's latency.
/// </summary>
internal static partial class PreciseSleep
{
    private static readonly TimeSpan LongestSlice = TimeSpan.FromMilliseconds(100);

    public static void Until(long dueTimestamp, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), dueTimestamp);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            var slice = remaining < LongestSlice ? remaining : LongestSlice;
            if (OperatingSystem.IsLinux() && Environment.Is64BitProcess)
            {
                var request = new Timespec(0, (long)(slice.Ticks * (1_000_000_000.0 / TimeSpan.TicksPerSecond)));
                _ = Nanosleep(in request, IntPtr.Zero);
            }
            else
            {
                Thread.Sleep(slice < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : slice);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int Nanosleep(in Timespec request, IntPtr remaining);

    /// <summary>Linux's <c>struct timespec</c> on 64-bit: seconds and nanoseconds, both 64-bit.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct Timespec(long seconds, long nanoseconds)
    {
        public readonly long Seconds = seconds;
        public readonly long Nanoseconds = nanoseconds;
    }
}
