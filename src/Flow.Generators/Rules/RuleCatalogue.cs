using Microsoft.CodeAnalysis;

namespace Flow.Generators.Rules;

/// <summary>
/// Every compile-time rule of a flow: one descriptor each, with its id, title and message. The checks that
/// report them are listed in <see cref="FlowRules"/>, shared by the generator (which emits nothing while any
/// of them fails) and the analyzer (which reports them).
/// </summary>
internal static class RuleCatalogue
{
    public const string HelpBase = "https://github.com/flow-dotnet/flow/blob/main/docs/rules.md#";

    private const string Graph = "Flow.Graph";
    private const string Steps = "Flow.Steps";
    private const string Artifacts = "Flow.Artifacts";
    private const string Decorators = "Flow.Decorators";
    private const string Services = "Flow.Services";

    public static readonly DiagnosticDescriptor ReservedName = Rule("FLOW001", Steps, "Reserved name",
        "'{0}' is reserved by FlowSpec and cannot name a {1}; rename it");

    public static readonly DiagnosticDescriptor MissingStart = Rule("FLOW002", Graph, "Missing start step",
        "Flow {0} has no start step; add '[Step] public void Start() {{ Next(...); }}'");

    public static readonly DiagnosticDescriptor MissingEnd = Rule("FLOW003", Graph, "Missing end step",
        "Flow {0} has no end step; add '[Step] public void End() {{ }}'");

    public static readonly DiagnosticDescriptor DuplicateStep = Rule("FLOW004", Steps, "Step declared twice",
        "Step {0} is declared more than once in flow {1}; step methods cannot be overloaded");

    public static readonly DiagnosticDescriptor TransitionToStart = Rule("FLOW005", Graph, "Transition to the start step",
        "Step {0} goes to Start, but no step may go to the start step; pick another target");

    public static readonly DiagnosticDescriptor NextInEnd = Rule("FLOW006", Graph, "Next in the end step",
        "The end step must not call Next; remove this call");

    public static readonly DiagnosticDescriptor EndIsJoin = Rule("FLOW007", Graph, "End step is a join",
        "The end step cannot be a join; add a join step that takes the inputs and calls Next(End)");

    public static readonly DiagnosticDescriptor StepSignature = Rule("FLOW008", Steps, "Invalid step signature",
        "Step {0} {1}");

    public static readonly DiagnosticDescriptor JoinSignature = Rule("FLOW009", Steps, "Invalid join signature",
        "Join step {0} must take exactly one parameter, of type JoinInputs<{1}>");

    public static readonly DiagnosticDescriptor JoinAndSplit = Rule("FLOW010", Graph, "Step is both a join and a split",
        "Join step {0} cannot also fan out; add a step after the join that calls Next with several targets or has [Foreach]");

    public static readonly DiagnosticDescriptor MissingNext = Rule("FLOW011", Steps, "Missing Next",
        "Step {0} does not call Next on every path; call Next(...) exactly once on each path, or throw");

    public static readonly DiagnosticDescriptor MultipleNext = Rule("FLOW012", Steps, "Next called twice",
        "Step {0} may call Next more than once on one path; call it exactly once on each path");

    public static readonly DiagnosticDescriptor InvalidTarget = Rule("FLOW013", Graph, "Next target is not a step",
        "'{0}' is not a step of flow {1}; pass a method group of a [Step] method of this flow, such as Next({2})");

    public static readonly DiagnosticDescriptor ForeachTransition = Rule("FLOW014", Graph, "Foreach with several targets",
        "Foreach step {0} must call Next exactly once with one target: the step that runs once per element");

    public static readonly DiagnosticDescriptor EmptyNext = Rule("FLOW015", Graph, "Next without targets",
        "Next must name at least one step, such as Next({0})");

    public static readonly DiagnosticDescriptor Cycle = Rule("FLOW016", Graph, "Cycle",
        "Steps {0} form a cycle; a flow must be acyclic, except for a loop: a conditional step that goes back to itself");

    public static readonly DiagnosticDescriptor Unreachable = Rule("FLOW017", Graph, "Unreachable step",
        "Step {0} cannot be reached from Start; call Next({0}) from another step, or remove [Step]");

    public static readonly DiagnosticDescriptor JoinWithoutSplit = Rule("FLOW018", Graph, "Join without a split",
        "Join step {0} does not close any split; only a step reached from the branches of a split or foreach takes JoinInputs");

    public static readonly DiagnosticDescriptor UnrelatedJoin = Rule("FLOW019", Graph, "Join of unrelated splits",
        "Join step {0} joins branches of different splits ({1}); close each split in its own join step");

    public static readonly DiagnosticDescriptor OpenSplitAtEnd = Rule("FLOW020", Graph, "End reached inside a split",
        "The end step is reached while split {0} is still open; join its branches before End");

    public static readonly DiagnosticDescriptor NeedsJoin = Rule("FLOW021", Graph, "Branches merge without a join",
        "Step {0} is reached from several branches of split {1} ({2}) but is not a join; make it a join that takes JoinInputs<{3}>, or add one before it");

    public static readonly DiagnosticDescriptor JoinMissesBranch = Rule("FLOW022", Graph, "Join misses a branch",
        "Join step {0} does not receive branch {1} of split {2}; every branch of a split must end in its join");

    public static readonly DiagnosticDescriptor SplitJoinedTwice = Rule("FLOW023", Graph, "Split closed by two joins",
        "The branches of split {0} end in different joins ({1}); every branch must reach the same join");

    public static readonly DiagnosticDescriptor ForeachStraightToJoin = Rule("FLOW024", Graph, "Foreach straight into a join",
        "Foreach step {0} goes straight to join {1}; add the step that runs once per element between them");

    public static readonly DiagnosticDescriptor ConditionalIntoJoin = Rule("FLOW025", Graph, "Conditional straight into a join",
        "Conditional step {0} goes straight into join {1}; only one of its targets runs, so route the chosen path through a step before the join");

    public static readonly DiagnosticDescriptor InvalidDecorator = Rule("FLOW026", Decorators, "Invalid decorator value",
        "{0}");

    public static readonly DiagnosticDescriptor CatchOnFanOut = Rule("FLOW027", Decorators, "Catch on a foreach or conditional step",
        "[Catch] cannot be used on {0} step {1}: after a failure the flow could not tell which steps come next");

    public static readonly DiagnosticDescriptor CatchArtifact = Rule("FLOW028", Decorators, "Invalid catch artifact",
        "[Catch] names '{0}', which must be an artifact of type StepError? of flow {1}");

    public static readonly DiagnosticDescriptor ForeachArtifact = Rule("FLOW029", Artifacts, "Invalid foreach artifact",
        "[Foreach] names '{0}', which {1}");

    public static readonly DiagnosticDescriptor ForeachItem = Rule("FLOW030", Steps, "Foreach item type",
        "Step {0} runs once per element of {1}, so it must take exactly one parameter of type {2}");

    public static readonly DiagnosticDescriptor MaybeUnset = Rule("FLOW031", Artifacts, "Artifact read before it is set",
        "Artifact {0} is read in step {1} but is not set on every path into it{2}");

    public static readonly DiagnosticDescriptor NotSerializable = Rule("FLOW032", Artifacts, "Artifact type not serializable",
        "Artifact {0} has type {1}, which cannot be stored: {2}");

    public static readonly DiagnosticDescriptor ParameterAssigned = Rule("FLOW033", Artifacts, "Parameter assigned in a step",
        "Parameter {0} is read-only in steps; its value comes from the command line (--{1})");

    public static readonly DiagnosticDescriptor UnknownBranch = Rule("FLOW034", Graph, "Join reads a branch it does not have",
        "Join step {0} has no input from step {1}; its inputs come from {2}");

    public static readonly DiagnosticDescriptor FlowShape = Rule("FLOW035", Steps, "Invalid flow class",
        "Flow class {0} must be {1}");

    public static readonly DiagnosticDescriptor MisplacedAttribute = Rule("FLOW036", Steps, "Flow attribute out of place",
        "{0}");

    public static readonly DiagnosticDescriptor NextOutsideStep = Rule("FLOW037", Steps, "Next outside a step body",
        "Next must be called directly in the body of a step, not in {0}");

    public static readonly DiagnosticDescriptor ParameterShape = Rule("FLOW038", Artifacts, "Invalid parameter",
        "Parameter {0} {1}");

    public static readonly DiagnosticDescriptor ConditionalSplit = Rule("FLOW039", Graph, "Fan-out inside a conditional",
        "Step {0} calls Next on several paths, which makes it conditional, so each call must name exactly one step; move the fan-out into the chosen step");

    public static readonly DiagnosticDescriptor EndpointOutsideService = Rule("FLOW040", Services, "Endpoint outside a web service",
        "[Endpoint] is on {0}.{1}, but {0} does not derive from WebServiceSpec<TFlow>; derive it from WebServiceSpec<YourFlow> or remove [Endpoint]");

    public static readonly DiagnosticDescriptor ServiceOverNonFlow = Rule("FLOW041", Services, "Service over a type that is not a flow",
        "Service {0} serves {1}, which {2}; serve a flow: a concrete class with [Step] methods");

    public static readonly DiagnosticDescriptor ServiceShape = Rule("FLOW042", Services, "Invalid service class",
        "Service class {0} must be {1}");

    public static readonly DiagnosticDescriptor EndpointShape = Rule("FLOW043", Services, "Invalid endpoint method",
        "Endpoint {0} must be {1}");

    public static readonly DiagnosticDescriptor EndpointParameterModifier = Rule("FLOW044", Services, "Endpoint parameter passed by reference",
        "Parameter {0} of endpoint {1} is declared '{2}', but a request's values are passed by value; remove '{2}'");

    public static readonly DiagnosticDescriptor SeveralBodies = Rule("FLOW045", Services, "Several body parameters",
        "Endpoint {0} has several complex parameters ({1}), but a request has one JSON body; take one type that holds them all, or make them simple query values");

    public static readonly DiagnosticDescriptor EndpointTypeNotSerializable = Rule("FLOW046", Services, "Endpoint type cannot be sent as JSON",
        "{0} of endpoint {1} has type {2}, which cannot be sent as JSON: {3}");

    public static readonly DiagnosticDescriptor DuplicateRoute = Rule("FLOW047", Services, "Two endpoints with one route",
        "Endpoint {0} has route {1}, as {2} has; endpoints cannot be overloaded, so rename one");

    public static readonly DiagnosticDescriptor ArtifactNotAtEnd = Rule("FLOW048", Services, "Served artifact not set at the end",
        "Service {0} reads Artifacts.{1}, but {1} is not set on every path to the end step of {2}, so a run's final artifacts may not have it; set it on every path before End, or give it an initializer",
        WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor InvalidCard = Rule("FLOW049", Decorators, "Invalid card",
        "{0}");

    public static readonly DiagnosticDescriptor ServicesOfOneFlow = Rule("FLOW050", Services, "Two web services over one flow",
        "Service {0} serves flow {1}, as {2} does; a program serves one service per flow (its serve command): put the endpoints in one service, or the services in separate programs",
        WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor[] All =
    {
        ReservedName, MissingStart, MissingEnd, DuplicateStep, TransitionToStart, NextInEnd, EndIsJoin, StepSignature,
        JoinSignature, JoinAndSplit, MissingNext, MultipleNext, InvalidTarget, ForeachTransition, EmptyNext, Cycle,
        Unreachable, JoinWithoutSplit, UnrelatedJoin, OpenSplitAtEnd, NeedsJoin, JoinMissesBranch, SplitJoinedTwice,
        ForeachStraightToJoin, ConditionalIntoJoin, InvalidDecorator, CatchOnFanOut, CatchArtifact, InvalidCard, ForeachArtifact,
        ForeachItem, MaybeUnset, NotSerializable, ParameterAssigned, UnknownBranch, FlowShape, MisplacedAttribute,
        NextOutsideStep, ParameterShape, ConditionalSplit, EndpointOutsideService, ServiceOverNonFlow, ServiceShape,
        EndpointShape, EndpointParameterModifier, SeveralBodies, EndpointTypeNotSerializable, DuplicateRoute, ArtifactNotAtEnd, ServicesOfOneFlow,
    };

    private static DiagnosticDescriptor Rule(string id, string category, string title, string message, params string[] tags) =>
        new(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            helpLinkUri: HelpBase + id.ToLowerInvariant(), customTags: tags);
}

/// <summary>The keys of the properties some diagnostics carry for their code fixes.</summary>
internal static class DiagnosticProperties
{
    /// <summary>FLOW011: "true" when the step calls Next on some path, "false" when on none.</summary>
    public const string HasNext = "HasNext";

    /// <summary>FLOW021: the steps that go to the merging step, comma-separated.</summary>
    public const string Parents = "Parents";

    /// <summary>FLOW021: the merging step.</summary>
    public const string Step = "Step";
}
