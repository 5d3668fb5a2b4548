namespace FlowActors.Telemetry;

/// <summary>
/// The names FlowActors' telemetry uses, following OpenTelemetry's semantic conventions: lower-case dotted names in
/// a <c>flowactors.</c> namespace, durations in seconds, counts with a <c>{unit}</c> annotation.
/// </summary>
public static class TelemetryNames
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/> of the platform.</summary>
    public const string Source = "FlowActors";

    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> of components built with the .NET component SDK.</summary>
    public const string ComponentSource = "FlowActors.Component";

    /// <summary>Attribute (tag) names on spans and measurements.</summary>
    public static class Attributes
    {
        public const string FlowId = "flowactors.flow.id";
        public const string StepId = "flowactors.step.id";
        public const string ExecutionId = "flowactors.execution.id";
        public const string MessageId = "flowactors.message.id";
        public const string Action = "flowactors.component.action";

        /// <summary>How an execution ended: <see cref="Outcomes"/>.</summary>
        public const string Outcome = "flowactors.outcome";

        /// <summary>The container runtime: "Docker" or "Process".</summary>
        public const string Runtime = "flowactors.container.runtime";

        /// <summary>A fast-streams queue (<c>{provider}/{queue}</c>).</summary>
        public const string Queue = "flowactors.stream.queue";

        /// <summary>OpenTelemetry's own: the HTTP status code of a response.</summary>
        public const string HttpStatusCode = "http.response.status_code";

        /// <summary>OpenTelemetry's own: the class of an error, set on failed spans and measurements.</summary>
        public const string ErrorType = "error.type";

        /// <summary>OpenTelemetry's own messaging attributes, on the spans of a message's way through a flow.</summary>
        public const string MessagingSystem = "messaging.system";
        public const string MessagingDestination = "messaging.destination.name";
        public const string MessagingOperation = "messaging.operation.type";
        public const string MessagingMessageId = "messaging.message.id";
        public const string MessagingBatchCount = "messaging.batch.message_count";
    }

    /// <summary>Values of <see cref="Attributes.Outcome"/>.</summary>
    public static class Outcomes
    {
        /// <summary>A flow output (a step with no next step emitted data).</summary>
        public const string Output = "output";

        /// <summary>An HTTP reply to the request that started the execution.</summary>
        public const string Reply = "reply";

        /// <summary>A step could not process the message.</summary>
        public const string Error = "error";

        /// <summary>Something that worked (a container start, a warm-up).</summary>
        public const string Succeeded = "succeeded";

        /// <summary>Something that did not.</summary>
        public const string Failed = "failed";
    }

    /// <summary>Span names. A span's name carries its flow or step, so a trace reads as the execution's route.</summary>
    public static class Spans
    {
        /// <summary><c>send {flowId}</c>: a message enters a flow and starts an execution (producer).</summary>
        public const string Send = "send";

        /// <summary><c>process {stepId}</c>: one step hop of one message, inbox to publish (consumer).</summary>
        public const string Process = "process";

        /// <summary><c>wait {stepId}</c>: the time a message waited in a real-time step's inbox.</summary>
        public const string Wait = "wait";

        /// <summary><c>invoke {action}</c>: a component call; a client span in the silo, a server span in the component.</summary>
        public const string Invoke = "invoke";

        /// <summary><c>publish {stepId}</c>: a step hands its outputs to the next steps' streams (producer).</summary>
        public const string Publish = "publish";
    }

    /// <summary>Instrument names; <see cref="FlowMetrics"/> creates them.</summary>
    public static class Metrics
    {
        public const string FlowMessagesReceived = "flowactors.flow.messages.received";
        public const string ExecutionDuration = "flowactors.execution.duration";
        public const string StepMessagesReceived = "flowactors.step.messages.received";
        public const string StepMessagesSent = "flowactors.step.messages.sent";
        public const string StepMessagesFailed = "flowactors.step.messages.failed";
        public const string StepDuration = "flowactors.step.duration";
        public const string ComponentCallDuration = "flowactors.step.component.duration";
        public const string InboxDepth = "flowactors.step.inbox.depth";
        public const string StreamQueueLength = "flowactors.stream.queue.length";
        public const string WarmUpDuration = "flowactors.flow.warmup.duration";
        public const string ContainerStarts = "flowactors.container.starts";
        public const string ContainerStartDuration = "flowactors.container.start.duration";
        public const string ContainerReplacements = "flowactors.container.replacements";
        public const string ContainerReplacementDuration = "flowactors.container.replacement.duration";
        public const string ContainerReaps = "flowactors.container.reaps";
        public const string ReaperPassDuration = "flowactors.container.reaper.duration";
        public const string LeaseRenewalFailures = "flowactors.container.lease.renewal.failures";
        public const string WebhookResponses = "flowactors.webhook.responses";
    }
}
