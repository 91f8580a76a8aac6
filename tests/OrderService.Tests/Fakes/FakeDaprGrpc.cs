using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Dapr.Client;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace OrderService.Tests.Fakes;

/// <summary>
/// The sidecar's gRPC API as a <see cref="DaprClient"/> sees it, answered in memory: each call's request is recorded
/// (method and protobuf bytes) and answered by <see cref="Answer"/> with a message or a gRPC error.
/// </summary>
public sealed class FakeDaprGrpc : HttpMessageHandler
{
    public ConcurrentQueue<(string Method, byte[] Request)> Calls { get; } = new();

    /// <summary>Given the method name (e.g. <c>ExecuteStateTransaction</c>) and the request bytes: the answer, or throw <see cref="RpcException"/>.</summary>
    public Func<string, byte[], IMessage> Answer { get; set; } = (method, _) => throw new RpcException(new Status(StatusCode.Unimplemented, method));

    public DaprClient Client() =>
        new DaprClientBuilder()
            .UseGrpcEndpoint("http://127.0.0.1:50001")
            .UseHttpEndpoint("http://127.0.0.1:3500")
            .UseGrpcChannelOptions(new GrpcChannelOptions { HttpHandler = this })
            .Build();

    public IReadOnlyList<T> Requests<T>(string method, MessageParser<T> parser)
        where T : IMessage<T> =>
        [.. Calls.Where(call => call.Method == method).Select(call => parser.ParseFrom(call.Request))];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var method = request.RequestUri!.AbsolutePath.Split('/')[^1];
        var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
        var message = body.Length >= 5 ? body[5..] : [];
        Calls.Enqueue((method, message));

        var response = new HttpResponseMessage(HttpStatusCode.OK) { Version = HttpVersion.Version20, RequestMessage = request };
        try
        {
            var answer = Answer(method, message).ToByteArray();
            var frame = new byte[5 + answer.Length];
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1, 4), (uint)answer.Length);
            answer.CopyTo(frame, 5);
            response.Content = new ByteArrayContent(frame);
            response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            response.TrailingHeaders.Add("grpc-status", "0");
        }
        catch (RpcException error)
        {
            // A trailers-only answer: the status travels in the headers.
            response.Content = new ByteArrayContent([]);
            response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            response.Headers.Add("grpc-status", ((int)error.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            response.Headers.Add("grpc-message", error.Status.Detail);
        }

        return response;
    }
}
