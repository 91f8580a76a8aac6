using System.ComponentModel.DataAnnotations;

namespace OrderService.Apis;

/// <summary><c>POST /orders</c> body. Fields are nullable so that a missing one is a validation error, not a default.</summary>
public sealed record CreateOrderRequest
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
    public string? PaymentMethod { get; init; }
}

public sealed record OrderItemRequest
{
    [Required]
    [StringLength(100)]
    public string? Sku { get; init; }

    [Required]
    [Range(1, 10_000)]
    public int? Quantity { get; init; }

    [Required]
    [Range(typeof(decimal), "0", "1000000", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public decimal? UnitPrice { get; init; }
}
