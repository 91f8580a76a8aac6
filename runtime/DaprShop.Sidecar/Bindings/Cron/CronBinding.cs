using System.Globalization;
using Cronos;
using DaprShop.Sidecar.Components;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.Bindings.Cron;

/// <summary>
/// <c>bindings.cron</c>, an input binding that fires on a schedule, as components-contrib's (<c>bindings/cron/cron.go</c>)
/// with its parser (<c>dapr/kit/cron</c>, seconds optional, descriptors allowed): <c>schedule</c> (required) is a cron
/// expression of five fields, or six with seconds first (read with Cronos), a descriptor (<c>@yearly</c>,
/// <c>@annually</c>, <c>@monthly</c>, <c>@weekly</c>, <c>@daily</c>, <c>@midnight</c>, <c>@hourly</c>) or
/// <c>@every &lt;duration&gt;</c> (Go's syntax; less than a second counts as a second, as in the Go library), optionally
/// after <c>CRON_TZ=&lt;zone&gt; </c> or <c>TZ=&lt;zone&gt; </c>. Each firing is an event with no data and metadata
/// <c>timeZone</c> (<c>Local</c>, the scheduler's zone in components-contrib whatever the schedule says) and
/// <c>readTimeUTC</c> (the time, as Go prints a UTC time). Firings do not wait for each other. Stopping takes no new
/// firing and lets the ones under way finish (5 s at most) before it cancels them, as daprd stops an input binding.
/// </summary>
public sealed class CronBinding : IInputBinding
{
    private readonly string _name;
    private readonly Schedule _schedule;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private CronBinding(string name, Schedule schedule, TimeProvider time, ILogger logger)
    {
        _name = name;
        _schedule = schedule;
        _time = time;
        _logger = logger;
    }

    public static CronBinding Load(ComponentSpec spec, ComponentContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        var text = spec.Metadata.Get("schedule");
        if (string.IsNullOrEmpty(text))
        {
            throw spec.Metadata.Error("schedule", "schedule not set");
        }

        return Schedule.TryParse(text, out var schedule, out var problem)
            ? new CronBinding(spec.Name, schedule, context.Time, context.LoggerFactory.CreateLogger<CronBinding>())
            : throw spec.Metadata.Error("schedule", $"invalid schedule format '{text}': {problem}");
    }

    public Task<IAsyncDisposable> ReadAsync(InputBindingHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Task.FromResult<IAsyncDisposable>(new Reader(this, handler));
    }

    /// <summary>Go's <c>time.Time.String()</c> of a UTC time: <c>2006-01-02 15:04:05.999999999 +0000 UTC</c>.</summary>
    internal static string GoUtcString(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var fraction = (utc.Ticks % TimeSpan.TicksPerSecond).ToString("0000000", CultureInfo.InvariantCulture).TrimEnd('0');
        return utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + (fraction.Length > 0 ? "." + fraction : string.Empty) + " +0000 UTC";
    }

    /// <summary>A parsed schedule: the next firing after a time.</summary>
    internal sealed class Schedule
    {
        private static readonly string[] Descriptors = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

        private readonly CronExpression? _cron;
        private readonly TimeSpan _every;

        private Schedule(CronExpression? cron, TimeSpan every, TimeZoneInfo zone)
        {
            _cron = cron;
            _every = every;
            Zone = zone;
        }

        public TimeZoneInfo Zone { get; }

        public static bool TryParse(string text, out Schedule schedule, out string problem)
        {
            schedule = null!;
            problem = string.Empty;
            var spec = text.Trim();
            var zone = TimeZoneInfo.Local;
            if (spec.StartsWith("CRON_TZ=", StringComparison.Ordinal) || spec.StartsWith("TZ=", StringComparison.Ordinal))
            {
                var space = spec.IndexOf(' ', StringComparison.Ordinal);
                if (space < 0)
                {
                    problem = "missing spec after the time zone";
                    return false;
                }

                var zoneName = spec[(spec.IndexOf('=', StringComparison.Ordinal) + 1)..space];
                if (!TimeZoneInfo.TryFindSystemTimeZoneById(zoneName, out var found))
                {
                    problem = $"provided bad location {zoneName}: unknown time zone {zoneName}";
                    return false;
                }

                zone = found;
                spec = spec[(space + 1)..].Trim();
            }

            if (spec.StartsWith("@every ", StringComparison.Ordinal))
            {
                if (!GoDuration.TryParse(spec["@every ".Length..], out var every))
                {
                    problem = $"failed to parse duration {spec}: invalid duration \"{spec["@every ".Length..]}\"";
                    return false;
                }

                // Go's library runs @every schedules on whole seconds, at least one (zero and negative durations too).
                every = TimeSpan.FromSeconds(Math.Max(1, Math.Floor(every.TotalSeconds)));
                schedule = new Schedule(null, every, zone);
                return true;
            }

            if (spec.StartsWith('@') && !Descriptors.Contains(spec, StringComparer.Ordinal))
            {
                problem = $"unrecognized descriptor: {spec}";
                return false;
            }

            var fields = spec.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            if (!spec.StartsWith('@') && fields is not (5 or 6))
            {
                problem = $"expected 5 to 6 fields, found {fields}: {spec}";
                return false;
            }

            try
            {
                var cron = CronExpression.Parse(spec, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
                schedule = new Schedule(cron, TimeSpan.Zero, zone);
                return true;
            }
            catch (CronFormatException e)
            {
                problem = e.Message;
                return false;
            }
        }

        /// <summary>The first firing after <paramref name="after"/>, or null when there is none.</summary>
        public DateTimeOffset? Next(DateTimeOffset after) =>
            _cron is null ? after + _every : _cron.GetNextOccurrence(after, Zone);
    }

    private sealed class Reader : IAsyncDisposable
    {
        /// <summary>How long stopping waits for the firings under way before it cancels them.</summary>
        private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

        /// <summary>The longest single wait: <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> takes no more than about 49 days.</summary>
        private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

        private readonly CronBinding _binding;
        private readonly InputBindingHandler _handler;
        private readonly CancellationTokenSource _stop = new();
        private readonly CancellationTokenSource _cancelFirings = new();
        private readonly List<Task> _firings = [];
        private readonly Task _loop;

        public Reader(CronBinding binding, InputBindingHandler handler)
        {
            _binding = binding;
            _handler = handler;
            _loop = Task.Run(RunAsync);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            Task[] firings;
            lock (_firings)
            {
                firings = [.. _firings];
            }

            var underWay = Task.WhenAll(firings);
            if (await Task.WhenAny(underWay, Task.Delay(DrainTimeout, _binding._time)) != underWay)
            {
                await _cancelFirings.CancelAsync();
            }

            await underWay;
            _stop.Dispose();
            _cancelFirings.Dispose();
        }

        private async Task RunAsync()
        {
            var time = _binding._time;
            var next = _binding._schedule.Next(time.GetUtcNow());
            try
            {
                while (next is { } due)
                {
                    for (var wait = due - time.GetUtcNow(); wait > TimeSpan.Zero; wait = due - time.GetUtcNow())
                    {
                        await Task.Delay(wait < LongestWait ? wait : LongestWait, time, _stop.Token);
                    }

                    Fire(due);
                    next = _binding._schedule.Next(due);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Stopped.
            }
        }

        private void Fire(DateTimeOffset due)
        {
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["timeZone"] = "Local",
                ["readTimeUTC"] = GoUtcString(_binding._time.GetUtcNow()),
            };
            var firing = FireAsync(new InputBindingEvent(ReadOnlyMemory<byte>.Empty, metadata));
            lock (_firings)
            {
                _firings.RemoveAll(t => t.IsCompleted);
                _firings.Add(firing);
            }

            _binding._logger.LogDebug("name: {Name}, schedule fired: {Due}", _binding._name, due);
        }

        private async Task FireAsync(InputBindingEvent bindingEvent)
        {
            try
            {
                await _handler(bindingEvent, _cancelFirings.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !_cancelFirings.IsCancellationRequested)
            {
                // components-contrib's cron binding ignores what the handler answers.
                _binding._logger.LogDebug(e, "name: {Name}, the app did not take the event", _binding._name);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
    }
}
