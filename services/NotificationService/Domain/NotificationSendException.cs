namespace NotificationService.Domain;

/// <summary>The channel refused or failed a notification; the event should be delivered again later.</summary>
public sealed class NotificationSendException : Exception
{
    public NotificationSendException()
    {
    }

    public NotificationSendException(string message)
        : base(message)
    {
    }

    public NotificationSendException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
