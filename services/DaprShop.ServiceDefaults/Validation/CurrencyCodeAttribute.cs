using System.ComponentModel.DataAnnotations;
using DaprShop.Contracts.Payments;

namespace DaprShop.ServiceDefaults.Validation;

/// <summary>
/// An ISO 4217 code of a currency with a minor unit (<see cref="Currencies"/>), in any letter case. Null is valid;
/// combine with <see cref="RequiredAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class CurrencyCodeAttribute() : ValidationAttribute("The {0} field must be an ISO 4217 currency code, such as EUR or USD.")
{
    public override bool IsValid(object? value) => value is null || (value is string code && Currencies.IsKnown(code));
}
