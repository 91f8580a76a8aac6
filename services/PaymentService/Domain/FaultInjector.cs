namespace PaymentService.Domain;

/// <summary>The fault currently injected into this process's payment endpoints (demos and tests only).</summary>
public sealed class FaultInjector
{
    private FaultSettings current = FaultSettings.None;

    public FaultSettings Current => Volatile.Read(ref current);

    public void Set(FaultSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Volatile.Write(ref current, settings);
    }
}
