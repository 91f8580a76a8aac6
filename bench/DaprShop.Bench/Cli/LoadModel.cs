namespace DaprShop.Bench.Cli;

/// <summary>How load is offered: an open model at a fixed rate, or a closed loop of virtual users.</summary>
internal abstract record LoadModel
{
    public abstract string Describe();
}

/// <summary>Requests are sent on a fixed schedule whatever the answers do; latency counts from the scheduled time.</summary>
internal sealed record OpenModel(double Rate) : LoadModel
{
    public override string Describe() => $"open model at {Rate:0.##} req/s (latency from the intended send time)";
}

/// <summary>Each virtual user sends its next request as soon as its previous one answered.</summary>
internal sealed record ClosedModel(int VirtualUsers) : LoadModel
{
    public override string Describe() => $"closed loop of {VirtualUsers} virtual users (latency from the actual send time)";
}
