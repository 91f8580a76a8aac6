namespace NotificationService.Domain;

/// <summary>A notification that was sent, as recorded for its user.</summary>
public sealed record Notification
{
    public const string EmailChannel = "email";

    /// <summary>One per event and channel: <c>{eventId}-{channel}</c>.</summary>
    public required string NotificationId { get; init; }

    public required Guid EventId { get; init; }

    public required string UserId { get; init; }

    public required string OrderId { get; init; }

    public required string EventType { get; init; }

    public required string Channel { get; init; }

    /// <summary>The email address, or the user id when the order event carried no address.</summary>
    public required string Recipient { get; init; }

    public required string Subject { get; init; }

    public required string Message { get; init; }

    public required DateTimeOffset SentAt { get; init; }

    public static string IdFor(Guid eventId, string channel) => $"{eventId}-{channel}";
}
