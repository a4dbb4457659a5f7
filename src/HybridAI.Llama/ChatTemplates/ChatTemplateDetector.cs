namespace HybridAI.Llama;

/// <summary>
/// Recognizes a chat template from the Jinja source in a GGUF file's <c>tokenizer.chat_template</c>, with the same
/// substring heuristics, in the same order, as llama.cpp's <c>llm_chat_detect_template</c> (it is not a Jinja engine).
/// </summary>
internal static class ChatTemplateDetector
{
    /// <summary>Returns llama.cpp's name for the template (for example <c>"llama3"</c>), or null when no rule matches.</summary>
    /// <remarks>
    /// A template that is itself a family name is that family. The names returned cover every family llama.cpp detects, some
    /// of which HybridAI does not render; <see cref="ChatTemplate.Resolve"/> refuses those.
    /// </remarks>
    public static string? Detect(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (ChatTemplate.TryGetKind(template, out _) || Array.IndexOf(OtherLlamaCppNames, template) >= 0)
        {
            return template;
        }

        bool Has(string part) => template.Contains(part, StringComparison.Ordinal);

        if (Has("<|im_start|>"))
        {
            return Has("<|im_sep|>") ? "phi4" : Has("<end_of_utterance>") ? "smolvlm" : "chatml";
        }

        if (template.StartsWith("mistral", StringComparison.Ordinal) || Has("[INST]"))
        {
            if (Has("[SYSTEM_PROMPT]"))
            {
                return "mistral-v7";
            }

            if (Has("' [INST] ' + system_message") || Has("[AVAILABLE_TOOLS]"))
            {
                return Has(" [INST]") ? "mistral-v1" : Has("\"[INST]\"") ? "mistral-v3-tekken" : "mistral-v3";
            }

            return Has("content.strip()") ? "llama2-sys-strip"
                : Has("bos_token + '[INST]") ? "llama2-sys-bos"
                : Has("<<SYS>>") ? "llama2-sys"
                : "llama2";
        }

        if (Has("<|assistant|>") && Has("<|end|>"))
        {
            return "phi3";
        }

        if (Has("[gMASK]<sop>"))
        {
            return "chatglm4";
        }

        if (Has("<|assistant|>") && Has("<|user|>"))
        {
            return Has("</s>") ? "falcon3" : "glmedge";
        }

        if (Has("<|{{ item['role'] }}|>") && Has("<|begin_of_image|>"))
        {
            return "glmedge";
        }

        if (Has("<|user|>") && Has("<|endoftext|>"))
        {
            return "zephyr";
        }

        if (Has("bos_token + message['role']"))
        {
            return "monarch";
        }

        if (Has("<start_of_turn>"))
        {
            return "gemma";
        }

        if (Has("'\\n\\nAssistant: ' + eos_token"))
        {
            return "orion";
        }

        if (Has("GPT4 Correct "))
        {
            return "openchat";
        }

        if (Has("USER: ") && Has("ASSISTANT: "))
        {
            return Has("SYSTEM: ") ? "vicuna-orca" : "vicuna";
        }

        if (Has("### Instruction:") && Has("<|EOT|>"))
        {
            return "deepseek";
        }

        if (Has("<|START_OF_TURN_TOKEN|>") && Has("<|USER_TOKEN|>"))
        {
            return "command-r";
        }

        if (Has("<|start_header_id|>") && Has("<|end_header_id|>"))
        {
            return "llama3";
        }

        if (Has("[gMASK]sop"))
        {
            return "chatglm3";
        }

        // Later llama.cpp rules (MiniCPM, DeepSeek 2/3, EXAONE, Granite, Llama 4 and others) name families HybridAI does not
        // render; such templates are reported as unknown.
        return null;
    }

    /// <summary>llama.cpp family names that HybridAI recognizes but does not render.</summary>
    internal static readonly string[] OtherLlamaCppNames =
    [
        "smolvlm", "chatglm3", "chatglm4", "falcon3", "glmedge", "monarch", "orion", "openchat", "vicuna", "vicuna-orca",
        "deepseek", "command-r",
    ];
}
