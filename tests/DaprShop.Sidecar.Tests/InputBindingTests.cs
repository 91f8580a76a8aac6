using DaprShop.Sidecar.Bindings;
using DaprShop.Sidecar.Bindings.Cron;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DaprShop.Sidecar.Tests;

/// <summary>
/// Input bindings as daprd runs them for an app served over HTTP, with <c>bindings.cron</c>: which bindings the app
/// takes (<c>OPTIONS</c> on the route, or <c>direction: input</c>), and each event as <c>POST /{route}</c>.
/// </summary>
public sealed class InputBindingTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Cron_events_are_posted_to_the_route_of_each_binding_the_app_takes()
    {
        var log = new RequestLog();
        await using var app = await SidecarHarness.StartAsync(
            "clock",
            new Dictionary<string, string>
            {
                // POST only: OPTIONS answers 405, which daprd counts as taking the binding.
                ["ticks.yaml"] = ComponentYaml.Component("ticks", "bindings.cron", ("schedule", "@every 1s")),
                ["routed.yaml"] = ComponentYaml.Component("routed", "bindings.cron", ("schedule", "* * * * * *"), ("route", "/on-tick")),
                // No endpoint at all: OPTIONS answers 404, so the app does not take it.
                ["ignored.yaml"] = ComponentYaml.Component("ignored", "bindings.cron", ("schedule", "@every 1s")),
                // direction: input needs no OPTIONS probe; direction: output is never read, whatever the app answers.
                ["declared.yaml"] = ComponentYaml.Component("declared", "bindings.cron", ("schedule", "@every 1s"), ("direction", "input")),
                ["output.yaml"] = ComponentYaml.Component("output-only", "bindings.cron", ("schedule", "@every 1s"), ("direction", "output")),
                // A yearly schedule waits longer than one timer can: the sidecar still starts and stops cleanly.
                ["yearly.yaml"] = ComponentYaml.Component("yearly", "bindings.cron", ("schedule", "@yearly"), ("direction", "input")),
            },
            web =>
            {
                web.MapPost("/ticks", async (HttpContext http) => { await log.RecordAsync(http); return Results.Ok(); });
                web.MapPost("/on-tick", async (HttpContext http) => { await log.RecordAsync(http); return Results.Ok(); });
                web.MapPost("/declared", async (HttpContext http) => { await log.RecordAsync(http); return Results.Ok(); });
                web.MapPost("/output-only", async (HttpContext http) => { await log.RecordAsync(http); return Results.Ok(); });
            });

        Assert.Equal(["declared", "routed", "ticks", "yearly"], app.Sidecar.Services.GetRequiredService<InputBindingManager>().Taken.Order());
        var tick = (await log.WaitForAsync("/ticks", timeout: Deadline))[0];
        Assert.Equal("application/json", tick.Header("content-type"));
        Assert.Equal("Local", tick.Header("timezone"));
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$", tick.Header("readtimeutc"));
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", tick.Header("traceparent"));
        Assert.Empty(tick.Body);
        await log.WaitForAsync("/on-tick", timeout: Deadline);
        await log.WaitForAsync("/declared", timeout: Deadline);
        Assert.DoesNotContain(log.All, r => r.Path is "/ignored" or "/output-only");
    }

    [Theory]
    [InlineData("")]
    [InlineData("* * * *")]
    [InlineData("@fortnightly")]
    [InlineData("@every soon")]
    [InlineData("61 * * * *")]
    public async Task StartAsync_refuses_a_cron_binding_without_a_valid_schedule_naming_the_field(string schedule)
    {
        var metadata = schedule.Length == 0 ? Array.Empty<(string, string)>() : [("schedule", schedule)];
        var error = await Assert.ThrowsAsync<ResourceLoadException>(() => SidecarHarness.StartAsync(
            "clock",
            new Dictionary<string, string> { ["ticks.yaml"] = ComponentYaml.Component("ticks", "bindings.cron", metadata) }));

        Assert.Contains("schedule", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("@every 1h30m", "2026-12-04T10:00:00Z", "2026-12-04T11:30:00Z")]
    [InlineData("@every 100ms", "2026-12-04T10:00:00Z", "2026-12-04T10:00:01Z")]
    [InlineData("@every 0s", "2026-12-04T10:00:00Z", "2026-12-04T10:00:01Z")]
    [InlineData("0 30 * * * *", "2026-12-04T10:00:00Z", "2026-12-04T10:30:00Z")]
    [InlineData("CRON_TZ=UTC 15 10 * * *", "2026-12-04T10:00:00Z", "2026-12-04T10:15:00Z")]
    [InlineData("TZ=UTC @daily", "2026-12-04T10:00:00Z", "2026-12-05T00:00:00Z")]
    public void Cron_schedule_reads_seconds_descriptors_every_and_zones_as_daprs_parser(string text, string after, string next)
    {
        Assert.True(CronBinding.Schedule.TryParse(text, out var schedule, out var problem), problem);
        Assert.Equal(DateTimeOffset.Parse(next, System.Globalization.CultureInfo.InvariantCulture), schedule.Next(DateTimeOffset.Parse(after, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void ReadTimeUTC_is_written_as_Go_prints_a_UTC_time()
    {
        Assert.Equal("2026-12-04 10:00:00 +0000 UTC", CronBinding.GoUtcString(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero)));
        Assert.Equal("2026-12-04 10:00:00.25 +0000 UTC", CronBinding.GoUtcString(new DateTimeOffset(2026, 12, 4, 10, 0, 0, 250, TimeSpan.Zero)));
    }
}
