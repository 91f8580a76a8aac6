namespace OrderService.Domain;

/// <summary>One item of an order: the price is what the client was shown, the total is the server's.</summary>
public sealed record OrderLine(string Sku, int Quantity, decimal UnitPrice)
{
    public decimal LineTotal => Quantity * UnitPrice;
}
