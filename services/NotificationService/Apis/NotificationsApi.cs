using System.Security.Claims;
using DaprShop.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using NotificationService.Domain;

namespace NotificationService.Apis;

public static class NotificationsApi
{
    public static RouteGroupBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        var group = app.MapGroup("/notifications")
            .WithTags("Notifications")
            .RequireAuthorization();

        group.MapGet("/", ListNotifications).WithName(nameof(ListNotifications));
        return group;
    }

    /// <summary>The caller's notifications, newest first.</summary>
    public static async Task<Ok<List<NotificationResponse>>> ListNotifications(
        ClaimsPrincipal user,
        NotificationLog log,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);

        var notifications = await log.ListAsync(user.GetUserId(), cancellationToken);
        return TypedResults.Ok(notifications.Select(NotificationResponse.From).ToList());
    }
}
