using Google.Protobuf.Reflection;
using Grpc.Core;

namespace DaprShop.Sidecar.Grpc;

/// <summary>
/// The methods of <c>dapr.proto</c> the local sidecar deliberately does not implement, each with the reason. They answer
/// <c>Unimplemented</c> with the message daprd's generated server gives for a method it does not implement
/// (<c>method X not implemented</c>), so a client learns at once which call it made, not a bare "unknown method".
/// Every other method of the descriptor is bound by a building block; <c>DaprGrpcApiTests</c> checks both.
/// </summary>
public static class DaprGrpcUnimplemented
{
    private const string Workflows = "workflows run on daprd's workflow engine and the scheduler, which the local runtime does not have";
    private const string Jobs = "jobs need daprd's scheduler service, which the local runtime does not have";
    private const string Crypto = "no cryptography component is loaded by the local runtime";
    private const string Conversation = "no conversation (LLM) component is loaded by the local runtime";
    private const string VectorsAndDocuments = "no vector or document store component is loaded by the local runtime";
    private const string Configuration = "no configuration store component is loaded by the local runtime; the shop reads its settings from secrets";
    private const string Locks = "no distributed lock component is loaded by the local runtime; the shop relies on ETags and actors";
    private const string ReminderBulk = "listing an actor type's reminders and deleting them by type are not implemented yet; no call the shop makes needs them";
    private const string TimerQueries = "reading timers back came after daprd 1.18, whose behaviour this runtime matches";

    /// <summary>The unimplemented methods by name, with why.</summary>
    public static IReadOnlyDictionary<string, string> Reasons { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["QueryStateAlpha1"] = "the local state stores do not implement state queries (daprd's state.Querier), and the shop does not query",
        ["SubscribeTopicEventsAlpha1"] = "streaming subscriptions are not implemented; apps subscribe declaratively or through /dapr/subscribe",
        ["UnregisterActorRemindersByType"] = ReminderBulk,
        ["ListActorReminders"] = ReminderBulk,
        ["ListActorTimers"] = TimerQueries,
        ["GetActorTimer"] = TimerQueries,
        ["SubscribeActorEventsAlpha1"] = "hosting actors over a gRPC stream is not implemented; the sidecar calls the app's actors over its app channel",
        ["GetConfigurationAlpha1"] = Configuration,
        ["GetConfiguration"] = Configuration,
        ["SubscribeConfigurationAlpha1"] = Configuration,
        ["SubscribeConfiguration"] = Configuration,
        ["UnsubscribeConfigurationAlpha1"] = Configuration,
        ["UnsubscribeConfiguration"] = Configuration,
        ["TryLockAlpha1"] = Locks,
        ["UnlockAlpha1"] = Locks,
        ["EncryptAlpha1"] = Crypto,
        ["DecryptAlpha1"] = Crypto,
        ["SubtleGetKeyAlpha1"] = Crypto,
        ["SubtleEncryptAlpha1"] = Crypto,
        ["SubtleDecryptAlpha1"] = Crypto,
        ["SubtleWrapKeyAlpha1"] = Crypto,
        ["SubtleUnwrapKeyAlpha1"] = Crypto,
        ["SubtleSignAlpha1"] = Crypto,
        ["SubtleVerifyAlpha1"] = Crypto,
        ["StartWorkflowAlpha1"] = Workflows,
        ["GetWorkflowAlpha1"] = Workflows,
        ["PurgeWorkflowAlpha1"] = Workflows,
        ["TerminateWorkflowAlpha1"] = Workflows,
        ["PauseWorkflowAlpha1"] = Workflows,
        ["ResumeWorkflowAlpha1"] = Workflows,
        ["RaiseEventWorkflowAlpha1"] = Workflows,
        ["StartWorkflowBeta1"] = Workflows,
        ["GetWorkflowBeta1"] = Workflows,
        ["PurgeWorkflowBeta1"] = Workflows,
        ["TerminateWorkflowBeta1"] = Workflows,
        ["PauseWorkflowBeta1"] = Workflows,
        ["ResumeWorkflowBeta1"] = Workflows,
        ["RaiseEventWorkflowBeta1"] = Workflows,
        ["Shutdown"] = "the runner owns the sidecars' lifetime: an app stops its sidecar by exiting, not by asking it",
        ["ScheduleJobAlpha1"] = Jobs,
        ["ScheduleJob"] = Jobs,
        ["GetJobAlpha1"] = Jobs,
        ["GetJob"] = Jobs,
        ["DeleteJobAlpha1"] = Jobs,
        ["DeleteJob"] = Jobs,
        ["DeleteJobsByPrefixAlpha1"] = Jobs,
        ["DeleteJobsByPrefix"] = Jobs,
        ["ListJobsAlpha1"] = Jobs,
        ["ListJobs"] = Jobs,
        ["ConverseAlpha1"] = Conversation,
        ["ConverseAlpha2"] = Conversation,
        ["SetBinaryFileAlpha1"] = VectorsAndDocuments,
        ["GetBinaryFileAlpha1"] = VectorsAndDocuments,
        ["DeleteBinaryFileAlpha1"] = VectorsAndDocuments,
        ["CreateCollectionAlpha1"] = VectorsAndDocuments,
        ["GetCollectionAlpha1"] = VectorsAndDocuments,
        ["ListCollectionsAlpha1"] = VectorsAndDocuments,
        ["DeleteCollectionAlpha1"] = VectorsAndDocuments,
        ["UpsertVectorsAlpha1"] = VectorsAndDocuments,
        ["GetVectorsAlpha1"] = VectorsAndDocuments,
        ["DeleteVectorsAlpha1"] = VectorsAndDocuments,
        ["QueryVectorsAlpha1"] = VectorsAndDocuments,
        ["BatchQueryVectorsAlpha1"] = VectorsAndDocuments,
        ["CreateIndexAlpha1"] = VectorsAndDocuments,
        ["GetIndexAlpha1"] = VectorsAndDocuments,
        ["ListIndexesAlpha1"] = VectorsAndDocuments,
        ["DeleteIndexAlpha1"] = VectorsAndDocuments,
        ["IndexDocumentsAlpha1"] = VectorsAndDocuments,
        ["GetDocumentsAlpha1"] = VectorsAndDocuments,
        ["DeleteDocumentsAlpha1"] = VectorsAndDocuments,
        ["SearchAlpha1"] = VectorsAndDocuments,
    };

    /// <summary>The descriptors of the listed methods that <c>dapr.proto</c> declares.</summary>
    public static IEnumerable<MethodDescriptor> Methods() =>
        DaprGrpcServiceMethodProvider.Descriptor.Methods.Where(m => Reasons.ContainsKey(m.Name));

    /// <summary>daprd's answer to a method it does not implement (its generated <c>UnimplementedDaprServer</c>).</summary>
    public static RpcException Answer(string method) => new(new Status(StatusCode.Unimplemented, $"method {method} not implemented"));
}
