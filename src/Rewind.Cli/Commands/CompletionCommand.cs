using System.CommandLine;

namespace Rewind.Cli.Commands;

/// <summary>
/// <c>rewind completion bash|zsh</c>: a script that asks rewind itself for completions through System.CommandLine's
/// <c>[suggest:POSITION]</c> directive, so completions always match the parser (commands, options, their values).
/// </summary>
public static class CompletionCommand
{
    private const string Bash = """
        # rewind bash completion: eval "$(rewind completion bash)" (in ~/.bashrc)
        _rewind_complete() {
            local IFS=$'\n'
            local suggestions
            suggestions=$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null) || return 0
            COMPREPLY=($(compgen -W "${suggestions}" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _rewind_complete rewind
        """;

    private const string Zsh = """
        # rewind zsh completion: eval "$(rewind completion zsh)" (in ~/.zshrc, after compinit)
        _rewind_complete() {
            local -a suggestions
            suggestions=("${(@f)$("${words[1]}" "[suggest:${CURSOR}]" "${BUFFER}" 2>/dev/null)}")
            compadd -- "${suggestions[@]}"
        }
        compdef _rewind_complete rewind
        """;

    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var shell = new Argument<string>("SHELL") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "Print the shell completion script for bash or zsh (eval \"$(rewind completion bash)\")") { shell };
        command.SetAction(async (parse, ct) =>
        {
            var cli = context(parse);
            await cli.Out.WriteLineAsync((parse.GetValue(shell) == "zsh" ? Zsh : Bash).AsMemory(), ct);
            return ExitCodes.Ok;
        });
        return command;
    }
}
