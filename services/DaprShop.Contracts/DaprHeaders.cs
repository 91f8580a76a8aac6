namespace DaprShop.Contracts;

/// <summary>HTTP headers with a meaning in the Dapr protocol.</summary>
public static class DaprHeaders
{
    /// <summary>
    /// Carries <c>DAPR_API_TOKEN</c> on calls to a sidecar, and <c>APP_API_TOKEN</c> on calls from a sidecar to its app.
    /// </summary>
    public const string ApiToken = "dapr-api-token";

    /// <summary>Prefix of the headers that address or describe a Dapr invocation (<c>dapr-app-id</c>, <c>dapr-caller-app-id</c>, ...).</summary>
    public const string Prefix = "dapr-";
}
