using PaymentService.Domain;

namespace PaymentService.Apis;

public sealed record PaymentServices(PaymentLedger Ledger, ILogger<PaymentServices> Logger);
