using System.Collections.Frozen;

namespace DaprShop.Contracts.Payments;

/// <summary>
/// The currencies an order can be paid in: ISO 4217's active alphabetic codes that have a minor unit, with that
/// unit's number of decimal places (2 for EUR: cents; 0 for JPY; 3 for KWD). Codes without one (gold, SDRs, test
/// and "no currency" codes) are not money an order is paid in. An amount is valid in a currency when it is a whole
/// number of that currency's minor units: 12.50 EUR is, 12.505 EUR and 1.5 JPY are not.
/// </summary>
public static class Currencies
{
    private static readonly FrozenDictionary<string, int> MinorUnitsByCode = BuildTable();

    /// <summary>Every accepted code, upper case.</summary>
    public static IReadOnlyCollection<string> Codes => MinorUnitsByCode.Keys;

    /// <summary>Whether <paramref name="code"/> is an accepted ISO 4217 code, in any letter case.</summary>
    public static bool IsKnown(string? code) => code is { Length: 3 } && MinorUnitsByCode.ContainsKey(code.ToUpperInvariant());

    /// <summary>The number of decimal places of <paramref name="code"/>'s minor unit; false for a code that is not accepted.</summary>
    public static bool TryGetMinorUnits(string? code, out int decimalPlaces)
    {
        decimalPlaces = 0;
        return code is { Length: 3 } && MinorUnitsByCode.TryGetValue(code.ToUpperInvariant(), out decimalPlaces);
    }

    /// <summary>Whether <paramref name="amount"/> is a whole number of <paramref name="code"/>'s minor units (false for an unknown code).</summary>
    public static bool IsWholeMinorUnits(decimal amount, string? code)
    {
        // The remainder, not amount × 10^places, which overflows for amounts near decimal's limit.
        return TryGetMinorUnits(code, out var decimalPlaces) && decimal.Remainder(amount, 1m / Pow10(decimalPlaces)) == 0m;
    }

    private static decimal Pow10(int decimalPlaces) => decimalPlaces switch
    {
        0 => 1m,
        2 => 100m,
        3 => 1000m,
        4 => 10000m,
        _ => throw new ArgumentOutOfRangeException(nameof(decimalPlaces)),
    };

    private static FrozenDictionary<string, int> BuildTable()
    {
        // ISO 4217 list one (current currency and funds), alphabetic codes grouped by minor unit.
        const string TwoDecimals =
            "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF " +
            "CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG " +
            "HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR " +
            "MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD " +
            "SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG " +
            "YER ZAR ZMW ZWG";
        const string NoDecimals = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
        const string ThreeDecimals = "BHD IQD JOD KWD LYD OMR TND";
        const string FourDecimals = "CLF UYW";

        var table = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (codes, places) in new[] { (TwoDecimals, 2), (NoDecimals, 0), (ThreeDecimals, 3), (FourDecimals, 4) })
        {
            foreach (var code in codes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                table.Add(code, places);
            }
        }

        return table.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
