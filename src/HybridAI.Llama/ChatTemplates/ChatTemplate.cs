using System.Text;

namespace HybridAI.Llama;

/// <summary>
/// Renders a conversation into prompt text for one chat template family, producing exactly what llama.cpp's
/// <c>llm_chat_apply_template</c> produces for it (the prompt is then tokenized with special tokens parsed, and the
/// tokenizer adds BOS as the model says).
/// </summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
internal sealed class ChatTemplate
{
    private static readonly (string Name, ChatTemplateKind Kind)[] s_families =
    [
        ("chatml", ChatTemplateKind.ChatMl),
        ("llama2", ChatTemplateKind.Llama2),
        ("llama2-sys", ChatTemplateKind.Llama2Sys),
        ("llama2-sys-bos", ChatTemplateKind.Llama2SysBos),
        ("llama2-sys-strip", ChatTemplateKind.Llama2SysStrip),
        ("mistral-v1", ChatTemplateKind.MistralV1),
        ("mistral-v3", ChatTemplateKind.MistralV3),
        ("mistral-v3-tekken", ChatTemplateKind.MistralV3Tekken),
        ("mistral-v7", ChatTemplateKind.MistralV7),
        ("mistral-v7-tekken", ChatTemplateKind.MistralV7Tekken),
        ("phi3", ChatTemplateKind.Phi3),
        ("phi4", ChatTemplateKind.Phi4),
        ("zephyr", ChatTemplateKind.Zephyr),
        ("gemma", ChatTemplateKind.Gemma),
        ("llama3", ChatTemplateKind.Llama3),
    ];

    private static readonly char[] s_cSpaces = [' ', '\t', '\n', '\v', '\f', '\r'];

    private ChatTemplate(string name, ChatTemplateKind kind)
    {
        Name = name;
        Kind = kind;
    }

    /// <summary>Gets the family names HybridAI renders (llama.cpp's names).</summary>
    public static IReadOnlyList<string> FamilyNames { get; } = [.. s_families.Select(f => f.Name)];

    /// <summary>Gets the family name (llama.cpp's name, for example <c>"llama3"</c>).</summary>
    public string Name { get; }

    /// <summary>Gets the family.</summary>
    public ChatTemplateKind Kind { get; }

    /// <summary>Returns the template of a family by its name (case-insensitive).</summary>
    /// <exception cref="HybridAIException">The name is not a family HybridAI renders; the message lists those it does.</exception>
    public static ChatTemplate FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryGetKind(name, out var kind))
        {
            return new ChatTemplate(name.ToLowerInvariant(), kind);
        }

        throw new HybridAIException($"The chat template '{name}' is not supported. {ValidNamesSentence()}");
    }

    /// <summary>
    /// Picks the template for a model: the family named in options when given, else the one detected from the file's Jinja
    /// template, else ChatML (llama.cpp's fallback when a file carries no template).
    /// </summary>
    /// <param name="familyName">The family set in options, or null.</param>
    /// <param name="jinjaTemplate">The file's <c>tokenizer.chat_template</c>, or null.</param>
    /// <exception cref="HybridAIException">The family or the file's template is not one HybridAI renders; the message lists valid names.</exception>
    public static ChatTemplate Resolve(string? familyName, string? jinjaTemplate)
    {
        if (!string.IsNullOrWhiteSpace(familyName))
        {
            return FromName(familyName.Trim());
        }

        if (string.IsNullOrEmpty(jinjaTemplate))
        {
            return new ChatTemplate("chatml", ChatTemplateKind.ChatMl);
        }

        var detected = ChatTemplateDetector.Detect(jinjaTemplate);
        if (detected is not null && TryGetKind(detected, out var kind))
        {
            return new ChatTemplate(detected, kind);
        }

        var what = detected is null ? "is not one HybridAI recognizes" : $"is llama.cpp's '{detected}', which HybridAI does not render";
        throw new HybridAIException(
            $"The model's chat template (tokenizer.chat_template) {what}. Set the ChatTemplate option to a family name. {ValidNamesSentence()}");
    }

    /// <summary>Looks a family up by name (case-insensitive).</summary>
    internal static bool TryGetKind(string name, out ChatTemplateKind kind)
    {
        foreach (var (familyName, familyKind) in s_families)
        {
            if (string.Equals(familyName, name, StringComparison.OrdinalIgnoreCase))
            {
                kind = familyKind;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>Renders a conversation.</summary>
    /// <param name="messages">The messages, in order; roles are <c>system</c>, <c>user</c> and <c>assistant</c>.</param>
    /// <param name="addGenerationPrompt">Whether to end with the opening of an assistant turn (where the template has one).</param>
    /// <returns>The prompt text.</returns>
    public string Render(IReadOnlyList<ChatTurn> messages, bool addGenerationPrompt = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var sb = new StringBuilder();
        switch (Kind)
        {
            case ChatTemplateKind.ChatMl:
                foreach (var m in messages)
                {
                    sb.Append("<|im_start|>").Append(m.Role).Append('\n').Append(m.Content).Append("<|im_end|>\n");
                }

                if (addGenerationPrompt)
                {
                    sb.Append("<|im_start|>assistant\n");
                }

                break;

            case ChatTemplateKind.MistralV7:
            case ChatTemplateKind.MistralV7Tekken:
                RenderMistralV7(sb, messages, Kind == ChatTemplateKind.MistralV7 ? " " : string.Empty);
                break;

            case ChatTemplateKind.MistralV1:
            case ChatTemplateKind.MistralV3:
            case ChatTemplateKind.MistralV3Tekken:
                RenderMistral(sb, messages, Kind);
                break;

            case ChatTemplateKind.Llama2:
            case ChatTemplateKind.Llama2Sys:
            case ChatTemplateKind.Llama2SysBos:
            case ChatTemplateKind.Llama2SysStrip:
                RenderLlama2(sb, messages, Kind);
                break;

            case ChatTemplateKind.Phi3:
                foreach (var m in messages)
                {
                    sb.Append("<|").Append(m.Role).Append("|>\n").Append(m.Content).Append("<|end|>\n");
                }

                if (addGenerationPrompt)
                {
                    sb.Append("<|assistant|>\n");
                }

                break;

            case ChatTemplateKind.Phi4:
                foreach (var m in messages)
                {
                    sb.Append("<|im_start|>").Append(m.Role).Append("<|im_sep|>").Append(m.Content).Append("<|im_end|>");
                }

                if (addGenerationPrompt)
                {
                    sb.Append("<|im_start|>assistant<|im_sep|>");
                }

                break;

            case ChatTemplateKind.Zephyr:
                foreach (var m in messages)
                {
                    sb.Append("<|").Append(m.Role).Append("|>\n").Append(m.Content).Append("<|endoftext|>\n");
                }

                if (addGenerationPrompt)
                {
                    sb.Append("<|assistant|>\n");
                }

                break;

            case ChatTemplateKind.Gemma:
                RenderGemma(sb, messages, addGenerationPrompt);
                break;

            case ChatTemplateKind.Llama3:
                foreach (var m in messages)
                {
                    sb.Append("<|start_header_id|>").Append(m.Role).Append("<|end_header_id|>\n\n")
                        .Append(Trim(m.Content)).Append("<|eot_id|>");
                }

                if (addGenerationPrompt)
                {
                    sb.Append("<|start_header_id|>assistant<|end_header_id|>\n\n");
                }

                break;

            default:
                throw new InvalidOperationException($"Unhandled chat template {Kind}.");
        }

        return sb.ToString();
    }

    private static string ValidNamesSentence() => $"Valid names: {string.Join(", ", FamilyNames)}.";

    /// <summary>Trims the characters C's <c>isspace</c> accepts, as llama.cpp's <c>trim</c> does (not Unicode spaces).</summary>
    internal static string Trim(string text) => text.Trim(s_cSpaces);

    private static void RenderMistralV7(StringBuilder sb, IReadOnlyList<ChatTurn> messages, string space)
    {
        foreach (var m in messages)
        {
            switch (m.Role)
            {
                case "system":
                    sb.Append("[SYSTEM_PROMPT]").Append(space).Append(m.Content).Append("[/SYSTEM_PROMPT]");
                    break;
                case "user":
                    sb.Append("[INST]").Append(space).Append(m.Content).Append("[/INST]");
                    break;
                default:
                    sb.Append(space).Append(m.Content).Append("</s>");
                    break;
            }
        }
    }

    private static void RenderMistral(StringBuilder sb, IReadOnlyList<ChatTurn> messages, ChatTemplateKind kind)
    {
        var leading = kind == ChatTemplateKind.MistralV1 ? " " : string.Empty;
        var trailing = kind == ChatTemplateKind.MistralV3Tekken ? string.Empty : " ";
        var trimAssistant = kind == ChatTemplateKind.MistralV3;
        var insideTurn = false;
        foreach (var m in messages)
        {
            if (!insideTurn)
            {
                sb.Append(leading).Append("[INST]").Append(trailing);
                insideTurn = true;
            }

            switch (m.Role)
            {
                case "system":
                    sb.Append(m.Content).Append("\n\n");
                    break;
                case "user":
                    sb.Append(m.Content).Append(leading).Append("[/INST]");
                    break;
                default:
                    sb.Append(trailing).Append(trimAssistant ? Trim(m.Content) : m.Content).Append("</s>");
                    insideTurn = false;
                    break;
            }
        }
    }

    private static void RenderLlama2(StringBuilder sb, IReadOnlyList<ChatTurn> messages, ChatTemplateKind kind)
    {
        var systemBlock = kind != ChatTemplateKind.Llama2;
        var bosInHistory = kind == ChatTemplateKind.Llama2SysBos;
        var strip = kind == ChatTemplateKind.Llama2SysStrip;

        // The first [INST] is written up front: the tokenizer adds the BOS that precedes it.
        var insideTurn = true;
        sb.Append("[INST] ");
        foreach (var m in messages)
        {
            var content = strip ? Trim(m.Content) : m.Content;
            if (!insideTurn)
            {
                insideTurn = true;
                sb.Append(bosInHistory ? "<s>[INST] " : "[INST] ");
            }

            switch (m.Role)
            {
                case "system":
                    if (systemBlock)
                    {
                        sb.Append("<<SYS>>\n").Append(content).Append("\n<</SYS>>\n\n");
                    }
                    else
                    {
                        sb.Append(content).Append('\n');
                    }

                    break;
                case "user":
                    sb.Append(content).Append(" [/INST]");
                    break;
                default:
                    sb.Append(content).Append("</s>");
                    insideTurn = false;
                    break;
            }
        }
    }

    private static void RenderGemma(StringBuilder sb, IReadOnlyList<ChatTurn> messages, bool addGenerationPrompt)
    {
        // Gemma has no system role: the system text opens the next user turn.
        var system = string.Empty;
        foreach (var m in messages)
        {
            if (m.Role == "system")
            {
                system += Trim(m.Content);
                continue;
            }

            var role = m.Role == "assistant" ? "model" : m.Role;
            sb.Append("<start_of_turn>").Append(role).Append('\n');
            if (system.Length > 0 && role != "model")
            {
                sb.Append(system).Append("\n\n");
                system = string.Empty;
            }

            sb.Append(Trim(m.Content)).Append("<end_of_turn>\n");
        }

        if (addGenerationPrompt)
        {
            sb.Append("<start_of_turn>model\n");
        }
    }
}
