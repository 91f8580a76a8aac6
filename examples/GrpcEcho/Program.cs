using System.Globalization;
using DaprShop.Examples.GrpcEcho;

// The port comes from APP_PORT, which `dapr run` and DaprShop's runner set from the run file's appPort.
var port = int.Parse(Environment.GetEnvironmentVariable("APP_PORT") ?? "5050", CultureInfo.InvariantCulture);
var app = EchoApp.Build(port, args);
Console.WriteLine($"grpc-echo: serving daprshop.examples.echo.v1.Echo over h2c on 127.0.0.1:{port}");
await app.RunAsync();
