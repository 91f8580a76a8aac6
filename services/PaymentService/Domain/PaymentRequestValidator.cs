using DaprShop.Contracts.Payments;

namespace PaymentService.Domain;

/// <summary>Checks a <see cref="PaymentRequest"/>, the cross-service contract that carries no validation attributes of its own.</summary>
public static class PaymentRequestValidator
{
    public const int MaxTextLength = 200;

    /// <summary>Field errors keyed by the JSON property name; empty when the request is valid.</summary>
    public static Dictionary<string, string[]> Validate(PaymentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);

        if (string.IsNullOrWhiteSpace(request.OrderId) || request.OrderId.Length > MaxTextLength)
        {
            errors["orderId"] = [$"orderId is required and at most {MaxTextLength} characters."];
        }

        if (request.Amount < 0)
        {
            errors["amount"] = ["amount must not be negative."];
        }

        if (!Currencies.IsKnown(request.Currency))
        {
            errors["currency"] = ["currency must be an ISO 4217 currency code, such as EUR or USD."];
        }
        else if (!errors.ContainsKey("amount") && !Currencies.IsWholeMinorUnits(request.Amount, request.Currency))
        {
            errors["amount"] = [$"amount must be a whole number of {request.Currency.ToUpperInvariant()}'s minor unit."];
        }

        if (string.IsNullOrWhiteSpace(request.PaymentMethod) || request.PaymentMethod.Length > MaxTextLength)
        {
            errors["paymentMethod"] = [$"paymentMethod is required and at most {MaxTextLength} characters."];
        }

        return errors;
    }
}
