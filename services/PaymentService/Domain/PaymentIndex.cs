namespace PaymentService.Domain;

/// <summary>The order ids that have a payment, oldest first: what <c>GET /payments</c> lists.</summary>
public sealed record PaymentIndex(IReadOnlyList<string> OrderIds)
{
    public static PaymentIndex Empty { get; } = new([]);

    /// <summary>This index with <paramref name="orderId"/> appended, or the same instance when it is already there.</summary>
    public PaymentIndex With(string orderId) => OrderIds.Contains(orderId, StringComparer.Ordinal) ? this : new PaymentIndex([.. OrderIds, orderId]);
}
