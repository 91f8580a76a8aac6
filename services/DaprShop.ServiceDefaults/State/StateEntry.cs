namespace DaprShop.ServiceDefaults.State;

public sealed record StateEntry<T>(T Value, string ETag);
