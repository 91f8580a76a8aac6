using DaprShop.Bench.Cli;

namespace DaprShop.Bench.Load;

/// <summary>The driver for a load model, and the connections its clients need.</summary>
internal static class LoadDriver
{
    /// <summary>The open model's bound on requests waiting for an answer at once; past it, sending waits (and the wait counts as latency).</summary>
    public const int MaxInFlight = 1024;

    /// <summary>Connections a client needs so that sending never waits for one: one per virtual user, or one per request in flight.</summary>
    public static int Connections(LoadModel model) => model is ClosedModel closed ? closed.VirtualUsers : MaxInFlight;

    public static ILoadDriver For(LoadModel model) => model switch
    {
        OpenModel open => new OpenLoopDriver(open.Rate, MaxInFlight),
        ClosedModel closed => new ClosedLoopDriver(closed.VirtualUsers),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "unknown load model"),
    };
}
