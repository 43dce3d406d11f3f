using System.Collections.Generic;
using System.Linq;
using Flow.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Flow.Generators.Rules;

/// <summary>The checks of the attributes on steps and on the flow (category Flow.Decorators). Each reports one rule.</summary>
internal static class DecoratorRules
{
    // The sbatch options Flow sets itself, from the step's [Resources] and [Timeout] or for its own bookkeeping.
    private static readonly string[] SbatchOptionsOfFlow =
    {
        "--array", "--job-name", "--output", "--error", "--parsable", "--wrap", "--export", "--chdir",
        "--cpus-per-task", "--mem", "--gres", "--time", "--partition", "--account", "--qos", "--constraint", "--requeue", "--no-requeue",
    };

    /// <summary>FLOW026: [Resources], [Retry], [Timeout], [Environment], [Slurm], [Cache], [Schedule] and [Project] have values that make sense.</summary>
    public static IEnumerable<Finding> InvalidDecorator(FlowDeclaration flow, FlowFacts facts)
    {
        if (flow.HasProject && !IsProjectName(flow.Project))
        {
            yield return Finding.At(flow.ProjectLocation,
                $"[Project(\"{flow.Project}\")] is not a valid project name; use lowercase letters, digits and underscores, starting with a letter, at most 40 characters");
        }

        if (flow.Schedule is { } schedule)
        {
            var given = (schedule.Cron is null ? 0 : 1) + schedule.Shortcuts.Length;
            if (given != 1)
            {
                yield return Finding.At(schedule.Location, "[Schedule] needs exactly one of Cron, Hourly, Daily or Weekly");
            }
            else if (schedule.Cron is { } cron && Cron.Validate(cron) is { } problem)
            {
                yield return Finding.At(schedule.Location, $"[Schedule(Cron = \"{cron}\")] is not a valid cron expression: {problem}");
            }
        }

        foreach (var step in flow.Steps)
        {
            if (step.Resources is { } r && (r.Cpu < 1 || r.Gpu < 0 || r.Memory < 1))
            {
                yield return Finding.At(step.ResourcesLocation,
                    $"[Resources] on {step.Name} asks for Cpu = {r.Cpu}, Gpu = {r.Gpu}, Memory = {r.Memory}; Cpu and Memory must be at least 1 and Gpu at least 0");
            }

            if (step.Retry is { } retry && (retry.Times < 0 || retry.Times > 10 || retry.DelaySeconds < 0))
            {
                yield return Finding.At(step.RetryLocation,
                    $"[Retry] on {step.Name} has Times = {retry.Times}, DelaySeconds = {retry.DelaySeconds}; Times must be between 0 and 10 and DelaySeconds at least 0");
            }

            if (step.Slurm is { } slurm)
            {
                foreach (var (name, value) in new[] { ("Partition", slurm.Partition), ("Account", slurm.Account), ("Qos", slurm.Qos), ("Constraint", slurm.Constraint) })
                {
                    if (value is not null && (value.Length == 0 || value.Any(char.IsWhiteSpace)))
                    {
                        yield return Finding.At(step.SlurmLocation, $"[Slurm] on {step.Name} has {name} = \"{value}\"; a value must be non-empty and without spaces, or left out");
                    }
                }

                foreach (var argument in slurm.Arguments)
                {
                    var option = argument.Split('=')[0].Trim();
                    if (!argument.StartsWith("-", System.StringComparison.Ordinal))
                    {
                        yield return Finding.At(step.SlurmLocation, $"[Slurm] on {step.Name} has the argument \"{argument}\"; each argument must be a whole sbatch option, such as \"--exclusive\" or \"--nice=10\"");
                    }
                    else if (SbatchOptionsOfFlow.Contains(option))
                    {
                        yield return Finding.At(step.SlurmLocation, $"[Slurm] on {step.Name} passes {option}, which Flow sets itself; use [Resources], [Timeout] or the [Slurm] properties instead");
                    }
                }
            }

            if (step.Timeout is { } timeout
                && (timeout.Seconds < 0 || timeout.Minutes < 0 || timeout.Hours < 0 || timeout.TotalSeconds <= 0 || timeout.TotalSeconds > int.MaxValue))
            {
                yield return Finding.At(step.TimeoutLocation, $"[Timeout] on {step.Name} must give a positive time, such as [Timeout(Seconds = 60)]");
            }

            var files = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (var file in step.CacheFiles)
            {
                if (string.IsNullOrWhiteSpace(file) || file!.IndexOf('\0') >= 0)
                {
                    yield return Finding.At(step.CacheLocation,
                        $"[Cache] on {step.Name} has the file {(file is null ? "null" : $"\"{file}\"")} in Files; each file must be a non-empty path, such as \"data/lookup.csv\"");
                }
                else if (!files.Add(file))
                {
                    yield return Finding.At(step.CacheLocation, $"[Cache] on {step.Name} names the file \"{file}\" twice in Files; name each file once");
                }
            }

            foreach (var variable in step.Environment.Where(e => string.IsNullOrWhiteSpace(e.Name) || e.Name!.IndexOfAny(new[] { '=', ' ', '\0' }) >= 0))
            {
                yield return Finding.At(variable.Location,
                    $"[Environment] on {step.Name} has the variable name '{variable.Name}'; a name must be non-empty, without '=' or spaces");
            }
        }
    }

    /// <summary>A project name: lowercase letters, digits and underscores, starting with a letter, at most 40 characters.</summary>
    public static bool IsProjectName(string? name) =>
        name is { Length: > 0 and <= 40 } && name[0] is >= 'a' and <= 'z' && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');

    /// <summary>
    /// FLOW027: [Catch] is not on a foreach or conditional step, except a loop with one way out: a caught iteration
    /// leaves the loop by it.
    /// </summary>
    public static IEnumerable<Finding> CatchOnFanOut(FlowDeclaration flow, FlowFacts facts) =>
        flow.Steps.Where(s => s.HasCatch && s.Transition is Transition.Foreach or Transition.Conditional && !(s.IsLoop && s.Onward.Count() == 1))
            .Select(s => Finding.At(s.CatchLocation, s.Transition == Transition.Foreach ? "foreach" : "conditional", s.Name));

    /// <summary>FLOW028: the artifact [Catch] names is a StepError? artifact of the flow.</summary>
    public static IEnumerable<Finding> CatchArtifact(FlowDeclaration flow, FlowFacts facts)
    {
        foreach (var step in flow.Steps.Where(s => s.HasCatch && s.CatchArtifact is not null))
        {
            var artifact = flow.Artifacts.FirstOrDefault(a => a.Name == step.CatchArtifact);
            if (artifact is null || !SymbolEqualityComparer.Default.Equals(artifact.Property.Type.WithNullableAnnotation(NullableAnnotation.None), flow.Symbols.StepError))
            {
                yield return Finding.At(step.CatchLocation, step.CatchArtifact!, flow.Name);
            }
        }
    }

    /// <summary>FLOW049: each [Card] on a step has an id of its own, and the id is a plain name (letters, digits, '_' and '-').</summary>
    public static IEnumerable<Finding> InvalidCard(FlowDeclaration flow, FlowFacts facts)
    {
        foreach (var step in flow.Steps)
        {
            var seen = new HashSet<string>();
            foreach (var card in step.Cards)
            {
                if (!IsCardId(card.Id))
                {
                    yield return Finding.At(card.Location,
                        $"[Card(Id = \"{card.Id}\")] on {step.Name} is not a valid card id; use 1 to 100 letters, digits, '_' and '-'");
                }
                else if (!seen.Add(card.Id!))
                {
                    yield return Finding.At(card.Location,
                        card.Id == "default"
                            ? $"Step {step.Name} has two cards with the id 'default'; give the second one an id of its own, such as [Card(Id = \"details\")]"
                            : $"Step {step.Name} has two cards with the id '{card.Id}'; give each card of a step an id of its own");
                }
            }
        }
    }

    /// <summary>A card id, as the runtime's datastore layout takes it: 1 to 100 letters, digits, '_' and '-'.</summary>
    public static bool IsCardId(string? id) =>
        id is { Length: > 0 and <= 100 } && id.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-');
}
