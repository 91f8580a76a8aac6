namespace DaprShop.ServiceDefaults.State;

/// <summary>The outcome of <see cref="AppStateStoreExtensions.UpdateAsync{T}"/>: the stored value and whether this call changed it.</summary>
public sealed record StateUpdate<T>(T? Value, bool Changed);
