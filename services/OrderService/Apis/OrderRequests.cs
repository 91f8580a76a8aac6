using System.ComponentModel.DataAnnotations;
using DaprShop.Contracts.Payments;
using DaprShop.ServiceDefaults.Validation;

namespace OrderService.Apis;

/// <summary><c>POST /orders</c> body. Fields are nullable so that a missing one is a validation error, not a default.</summary>
public sealed record CreateOrderRequest : IValidatableObject
{
    public const int MaxItems = 100;

    [Required]
    [MinLength(1, ErrorMessage = "An order needs at least one item.")]
    [MaxLength(MaxItems)]
    public IReadOnlyList<OrderItemRequest>? Items { get; init; }

    [Required]
    [CurrencyCode]
    public string? Currency { get; init; }

    [Required]
    [StringLength(200)]
    [NoControlCharacters]
    public string? PaymentMethod { get; init; }

    /// <summary>
    /// A <c>null</c> in the items array (validation checks each item's fields but skips a null item), and prices that
    /// are not a whole number of the currency's minor unit (12.505 EUR, 1.5 JPY).
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var hasMinorUnits = Currencies.TryGetMinorUnits(Currency, out var decimalPlaces);
        for (var index = 0; index < (Items?.Count ?? 0); index++)
        {
            if (Items![index] is not { } item)
            {
                yield return new ValidationResult("An item must be an object with sku, quantity and unitPrice, not null.", [$"{nameof(Items)}[{index}]"]);
            }
            else if (hasMinorUnits && item.UnitPrice is { } price && !Currencies.IsWholeMinorUnits(price, Currency))
            {
                yield return new ValidationResult(
                    $"unitPrice must be a whole number of {Currency!.ToUpperInvariant()}'s minor unit (at most {decimalPlaces} decimal places).",
                    [$"{nameof(Items)}[{index}].{nameof(OrderItemRequest.UnitPrice)}"]);
            }
        }
    }
}

public sealed record OrderItemRequest
{
    [Required]
    [StringLength(100)]
    [NoControlCharacters]
    public string? Sku { get; init; }

    [Required]
    [Range(1, 10_000)]
    public int? Quantity { get; init; }

    [Required]
    [Range(typeof(decimal), "0", "1000000", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public decimal? UnitPrice { get; init; }
}
