namespace DaprShop.EndToEnd.Tests.Infrastructure;

/// <summary>One app of the shop as the test run file places it: its project folder and its ports.</summary>
public sealed record ShopApp(string AppId, string Project, int AppPort, int DaprHttpPort, int DaprGrpcPort);
