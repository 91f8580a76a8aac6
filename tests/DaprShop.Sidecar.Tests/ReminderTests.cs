using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DaprShop.Sidecar.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.Tests;

/// <summary>Actor reminders through the official SDK and daprd's HTTP API.</summary>
public sealed class ReminderTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Theory]
    [MemberData(nameof(ComponentYaml.DurableStateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task Reminder_fires_through_IRemindable_with_daprd_callback_body(string kind)
    {
        var cluster = new LocalCluster();
        var probe = new ActorProbe();
        var callbacks = new RequestLog();
        await using var host = await ActorApps.StartHostAsync("reminder-app", cluster, probe, stateStore: ActorApps.ActorStateStore(kind), callbacks: callbacks);

        await ActorApps.Proxy(host, "r-1").StartReminderAsync("wake", 100, "hello");

        await Eventually.WaitAsync(() => probe.Count("reminder:r-1:wake:hello") == 1, Deadline, "the reminder to fire");
        var call = Assert.Single(callbacks.To("/actors/CounterActor/r-1/method/remind/wake"));
        Assert.Equal("PUT", call.Method);
        var body = call.Json;
        Assert.Equal("0h0m0s100ms", body.GetProperty("dueTime").GetString());
        Assert.Equal(string.Empty, body.GetProperty("period").GetString());
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("hello")), body.GetProperty("data").GetString());

        // A one-shot reminder is gone once it fired.
        using var http = new HttpClient { BaseAddress = host.Sidecar.HttpEndpoint };
        await Eventually.WaitAsync(
            async () => (await http.GetAsync(new Uri("/v1.0/actors/CounterActor/r-1/reminders/wake", UriKind.Relative))).StatusCode,
            status => status == HttpStatusCode.NotFound,
            Deadline,
            "the fired reminder to be deleted");
    }

    [Theory]
    [MemberData(nameof(ComponentYaml.DurableStateStoreKinds), MemberType = typeof(ComponentYaml))]
    public async Task Reminder_registered_before_a_restart_of_app_and_sidecar_fires_after_it(string kind)
    {
        var folder = Directory.CreateTempSubdirectory("daprshop-reminders-").FullName;
        var store = ActorApps.ActorStateStore(kind, Path.Combine(folder, "actors.db"), kind == "redis" ? RedisServer.Shared.NextDatabase() : null);
        var cluster = new LocalCluster();
        var before = new ActorProbe();
        await using (var host = await ActorApps.StartHostAsync("durable-app", cluster, before, stateStore: store))
        {
            await ActorApps.Proxy(host, "d-1").StartReminderAsync("later", 5000, "persisted");
        }

        // Stopping deactivated the actor, as daprd halts its actors on shutdown; the reminder had not fired.
        Assert.Equal(["deactivated:d-1"], before.Events);
        var after = new ActorProbe();
        await using (var host = await ActorApps.StartHostAsync("durable-app", cluster, after, stateStore: store))
        {
            await Eventually.WaitAsync(() => after.Count("reminder:d-1:later:persisted") == 1, Deadline, "the stored reminder to fire after the restart");
        }

        Assert.Equal(["deactivated:d-1"], before.Events);
    }

    [Fact]
    public async Task The_sdks_GetReminderAsync_reads_back_what_the_actor_registered_and_fails_once_it_is_gone()
    {
        var cluster = new LocalCluster();
        await using var host = await ActorApps.StartHostAsync("reminder-sdk", cluster, new ActorProbe());
        var actor = ActorApps.Proxy(host, "s-1");

        await actor.StartReminderAsync("later", 3_600_000, "kept data");
        var described = await actor.DescribeReminderAsync("later");

        // The SDK registered due time 1 h and no period; daprd's answer leaves an empty period out, which the SDK reads
        // as zero.
        Assert.Equal($"{TimeSpan.FromHours(1)}|{TimeSpan.Zero}|kept data", described);
        using var http = new HttpClient { BaseAddress = host.Sidecar.HttpEndpoint };
        using var deleted = await http.DeleteAsync(new Uri("/v1.0/actors/CounterActor/s-1/reminders/later", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        // daprd answers 404 ERR_ACTOR_REMINDER_NOT_FOUND, which the SDK raises inside the actor.
        var e = await Assert.ThrowsAsync<Dapr.Actors.ActorMethodInvocationException>(() => actor.DescribeReminderAsync("later"));
        Assert.Contains("actor reminder not found: later", e.InnerException?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reminder_get_and_delete_over_http_answer_as_daprd()
    {
        var cluster = new LocalCluster();
        await using var host = await ActorApps.StartHostAsync("reminder-api", cluster, new ActorProbe());
        await using var other = await SidecarHarness.StartAsync("reminder-other", new Dictionary<string, string> { ["statestore.yaml"] = ActorApps.ActorStateStore() }, cluster: cluster);
        using var http = new HttpClient { BaseAddress = host.Sidecar.HttpEndpoint };
        var reminder = new Uri("/v1.0/actors/CounterActor/g-1/reminders/nightly", UriKind.Relative);

        using var created = await http.PutAsync(reminder, Json("""{"dueTime":"1h","period":"R5/PT10S","ttl":"2h","data":{"batch":7}}"""));
        Assert.Equal(HttpStatusCode.NoContent, created.StatusCode);

        var found = await http.GetFromJsonAsync<JsonElement>(reminder);
        Assert.Equal("g-1", found.GetProperty("actorID").GetString());
        Assert.Equal("CounterActor", found.GetProperty("actorType").GetString());
        Assert.Equal("1h", found.GetProperty("dueTime").GetString());
        Assert.Equal("R5/PT10S", found.GetProperty("period").GetString());
        Assert.Equal(7, found.GetProperty("data").GetProperty("batch").GetInt32());
        var expires = DateTimeOffset.Parse(found.GetProperty("ttl").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(179), TimeSpan.FromMinutes(181));

        using var notFirst = await http.PutAsync(reminder, Json("""{"dueTime":"1h","overwrite":false}"""));
        await ActorTests.AssertDaprErrorAsync(notFirst, HttpStatusCode.Conflict, "ERR_ACTOR_REMINDER_ALREADY_EXISTS", "actor reminder already exists: nightly");

        using var otherHttp = new HttpClient { BaseAddress = other.Sidecar.HttpEndpoint };
        using var nonHosted = await otherHttp.GetAsync(reminder);
        await ActorTests.AssertDaprErrorAsync(nonHosted, HttpStatusCode.Forbidden, "ERR_ACTOR_REMINDER_NON_HOSTED", "only possible on hosted actor types");

        using var deleted = await http.DeleteAsync(reminder);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await http.GetAsync(reminder);
        await ActorTests.AssertDaprErrorAsync(gone, HttpStatusCode.NotFound, "ERR_ACTOR_REMINDER_NOT_FOUND", "actor reminder not found: nightly");
    }

    [Fact]
    public async Task Reminder_firing_Starts_a_trace_of_its_own_linked_to_the_one_it_was_registered_in_and_the_app_s_callback_under_it()
    {
        // The source first: created inside the listener's own callback, it would not be listened to.
        var sidecarSource = DaprShop.Sidecar.Http.TraceContext.Source;
        var spans = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source == sidecarSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var log = new RequestLog();
        await using var host = await StartPlainActorAppAsync(log, (_, _) => Results.Ok());
        using var http = new HttpClient { BaseAddress = host.Sidecar.HttpEndpoint };
        var registeredIn = ActivityTraceId.CreateRandom();
        using var register = new HttpRequestMessage(HttpMethod.Put, "/v1.0/actors/PlainActor/trace-1/reminders/linked") { Content = Json("""{"dueTime":"0s"}""") };
        register.Headers.Add("traceparent", $"00-{registeredIn.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(register)).StatusCode);

        await Eventually.WaitAsync(() => spans.Any(s => s.DisplayName == "CallActor/PlainActor/remind/linked"), Deadline, "the firing's span");
        var firing = spans.Single(s => s.DisplayName == "CallActor/PlainActor/remind/linked");
        Assert.NotEqual(registeredIn, firing.TraceId);
        Assert.Equal(registeredIn, Assert.Single(firing.Links).Context.TraceId);
        var callback = Assert.Single(log.To("/actors/PlainActor/trace-1/method/remind/linked"));
        Assert.Contains(firing.TraceId.ToHexString(), callback.Headers["traceparent"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reminder_with_repetitions_fires_that_many_times_then_ends()
    {
        var log = new RequestLog();
        await using var host = await StartPlainActorAppAsync(log, (_, _) => Results.Ok());
        using var http = new HttpClient { BaseAddress = host.Sidecar.HttpEndpoint };
        var reminder = new Uri("/v1.0/actors/PlainActor/rep-1/reminders/twice", UriKind.Relative);

        using var created = await http.PutAsync(reminder, Json("""{"dueTime":"0s","period":"R2/PT1S","data":{"n":1}}"""));
        Assert.Equal(HttpStatusCode.NoContent, created.StatusCode);

        await Eventually.WaitAsync(
            async () => (await http.GetAsync(reminder)).StatusCode,
            status => status == HttpStatusCode.NotFound,
            Deadline,
            "the reminder to end after its repetitions");
        var calls = log.To("/actors/PlainActor/rep-1/method/remind/twice");
        Assert.Equal(2, calls.Count);
        Assert.All(calls, call =>
        {
            Assert.Equal("PUT", call.Method);
            Assert.Equal("""{"data":{"n":1},"dueTime":"0s","period":"R2/PT1S"}""", call.BodyText);
        });
    }

    [Fact]
    public async Task Failed_reminder_call_is_retried_a_second_later()
    {
        var log = new RequestLog();
        var answers = 0;
        await using var host = await StartPlainActorAppAsync(log, (_, _) => Interlocked.Increment(ref answers) == 1 ? Results.StatusCode(500) : Results.Ok());
        using var http = new HttpClient { BaseAddress = host.Sidecar.HttpEndpoint };

        using var created = await http.PutAsync(new Uri("/v1.0/actors/PlainActor/retry-1/reminders/once", UriKind.Relative), Json("""{"dueTime":"0s"}"""));
        Assert.Equal(HttpStatusCode.NoContent, created.StatusCode);

        var calls = await log.WaitForAsync("/actors/PlainActor/retry-1/method/remind/once", 2);
        var first = DateTimeOffset.Parse(calls[0].Header("x-received-at")!, System.Globalization.CultureInfo.InvariantCulture);
        var second = DateTimeOffset.Parse(calls[1].Header("x-received-at")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(second - first, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("""{"period":"bogus"}""", "error creating actor reminder: invalid reminder period: parse error: unsupported duration format: bogus")]
    [InlineData("""{"period":"R0/PT1S"}""", "error creating actor reminder: invalid reminder period: has zero repetitions")]
    [InlineData("""{"dueTime":"soon"}""", "error creating actor reminder: error parsing reminder due time: unsupported time/duration format: soon")]
    [InlineData("""{"dueTime":"R2/PT1S"}""", "error creating actor reminder: error parsing reminder due time: repetitions are not allowed")]
    [InlineData("""{"ttl":"2020-01-01T00:00:00Z"}""", "has already expired")]
    public async Task Reminder_with_bad_times_answers_daprd_error(string body, string message)
    {
        var cluster = new LocalCluster();
        await using var host = await ActorApps.StartHostAsync("reminder-bad", cluster, new ActorProbe());
        using var http = new HttpClient { BaseAddress = host.Sidecar.HttpEndpoint };

        using var response = await http.PutAsync(new Uri("/v1.0/actors/CounterActor/b-1/reminders/bad", UriKind.Relative), Json(body));

        await ActorTests.AssertDaprErrorAsync(response, HttpStatusCode.InternalServerError, "ERR_ACTOR_REMINDER_CREATE", message);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>
    /// An actor app written against daprd's app contract alone (no SDK): <c>GET /dapr/config</c>
    /// names <c>PlainActor</c>; every actor call is recorded and answered by <paramref name="answer"/>.
    /// </summary>
    private static Task<SidecarHarness> StartPlainActorAppAsync(RequestLog log, Func<RecordedRequest, int, IResult> answer)
    {
        var calls = 0;
        return SidecarHarness.StartAsync(
            "plain-actors",
            new Dictionary<string, string> { ["statestore.yaml"] = ActorApps.ActorStateStore() },
            app =>
            {
                app.MapGet("/dapr/config", () => Results.Text("""{"entities":["PlainActor"]}""", "application/json"));
                app.MapMethods("/actors/{**path}", [HttpMethods.Put, HttpMethods.Delete], async (HttpContext http) =>
                {
                    http.Request.Headers["x-received-at"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
                    var request = await log.RecordAsync(http);
                    return answer(request, Interlocked.Increment(ref calls));
                });
            },
            cluster: new LocalCluster());
    }
}
