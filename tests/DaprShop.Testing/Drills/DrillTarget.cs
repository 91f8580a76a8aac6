namespace DaprShop.Testing.Drills;

/// <summary>
/// What a round of the crash drill kills: one app (the runner restarts it), several instances of replicated apps at
/// once (<c>order-service#2,payment-service#1</c>), or the runner with everything it started.
/// </summary>
public static class DrillTarget
{
    public const string Runner = "runner";

    /// <summary>Every target, in the order the drill takes them round after round.</summary>
    public static IReadOnlyList<string> All { get; } = ["order-service", "payment-service", Runner, "auth-gateway", "notification-service"];

    public static bool IsApp(string target) => target != Runner;
}
