using System.ComponentModel.DataAnnotations;
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
    [RegularExpression("^[A-Za-z]{3}$", ErrorMessage = "currency must be a three-letter ISO 4217 code.")]
    public string? Currency { get; init; }

    [Required]
    [StringLength(200)]
    [NoControlCharacters]
    public string? PaymentMethod { get; init; }

    /// <summary>A <c>null</c> in the items array: validation checks each item's fields but skips a null item.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var index = 0; index < (Items?.Count ?? 0); index++)
        {
            if (Items![index] is null)
            {
                yield return new ValidationResult("An item must be an object with sku, quantity and unitPrice, not null.", [$"{nameof(Items)}[{index}]"]);
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
