namespace DaprShop.Contracts;

/// <summary>
/// Names of the Dapr components every profile (embedded, redis, postgres) defines.
/// Swapping a backend changes the component files, never these names.
/// </summary>
public static class DaprComponents
{
    public const string StateStore = "statestore";

    public const string PubSub = "pubsub";

    public const string SecretStore = "secretstore";

    /// <summary>The output binding notifications are sent through (local files in development).</summary>
    public const string Notifications = "notifications";
}
