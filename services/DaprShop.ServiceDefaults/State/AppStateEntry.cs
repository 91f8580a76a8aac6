namespace DaprShop.ServiceDefaults.State;

public sealed record AppStateEntry<T>(T Value, string ETag);
