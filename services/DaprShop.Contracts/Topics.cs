namespace DaprShop.Contracts;

/// <summary>Pub/sub topics on the <see cref="DaprComponents.PubSub"/> component.</summary>
public static class Topics
{
    /// <summary>Every order integration event; the <c>eventType</c> field tells them apart.</summary>
    public const string Orders = "orders";
}
