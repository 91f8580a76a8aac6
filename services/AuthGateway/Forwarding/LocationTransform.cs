namespace AuthGateway.Forwarding;

/// <summary>An app answers <c>Location: /orders/{id}</c>; through the gateway that resource is <c>/api/orders/{id}</c>.</summary>
public static class LocationTransform
{
    public static void Apply(HttpResponse response, ForwardedRoute route)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(route);

        var location = response.Headers.Location.ToString();
        var appRoot = $"/{route.MethodRoot}";
        if (location == appRoot || location.StartsWith($"{appRoot}/", StringComparison.Ordinal) || location.StartsWith($"{appRoot}?", StringComparison.Ordinal))
        {
            response.Headers.Location = ForwardedRoute.ApiPrefix + location;
        }
    }
}
