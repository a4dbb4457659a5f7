namespace HybridAI.Llama;

/// <summary>The chat template families HybridAI renders, each as llama.cpp's <c>llm_chat_apply_template</c> does.</summary>
internal enum ChatTemplateKind
{
    /// <summary><c>chatml</c>: <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>.</summary>
    ChatMl,

    /// <summary><c>llama2</c>: <c>[INST]</c> turns, the system message inlined without <c>&lt;&lt;SYS&gt;&gt;</c>.</summary>
    Llama2,

    /// <summary><c>llama2-sys</c>: <c>[INST]</c> turns with a <c>&lt;&lt;SYS&gt;&gt;</c> block.</summary>
    Llama2Sys,

    /// <summary><c>llama2-sys-bos</c>: as <c>llama2-sys</c>, with <c>&lt;s&gt;</c> before each later turn.</summary>
    Llama2SysBos,

    /// <summary><c>llama2-sys-strip</c>: as <c>llama2-sys</c>, with every message trimmed.</summary>
    Llama2SysStrip,

    /// <summary><c>mistral-v1</c>: <c> [INST] … [/INST]</c>.</summary>
    MistralV1,

    /// <summary><c>mistral-v3</c>: <c>[INST] …[/INST]</c>, assistant messages trimmed.</summary>
    MistralV3,

    /// <summary><c>mistral-v3-tekken</c>: <c>[INST]…[/INST]</c>.</summary>
    MistralV3Tekken,

    /// <summary><c>mistral-v7</c>: <c>[SYSTEM_PROMPT] …[/SYSTEM_PROMPT][INST] …[/INST]</c>.</summary>
    MistralV7,

    /// <summary><c>mistral-v7-tekken</c>: as <c>mistral-v7</c> without the spaces.</summary>
    MistralV7Tekken,

    /// <summary><c>phi3</c>: <c>&lt;|role|&gt;\ncontent&lt;|end|&gt;\n</c>.</summary>
    Phi3,

    /// <summary><c>phi4</c>: <c>&lt;|im_start|&gt;role&lt;|im_sep|&gt;content&lt;|im_end|&gt;</c>.</summary>
    Phi4,

    /// <summary><c>zephyr</c>: <c>&lt;|role|&gt;\ncontent&lt;|endoftext|&gt;\n</c>.</summary>
    Zephyr,

    /// <summary><c>gemma</c>: <c>&lt;start_of_turn&gt;</c> turns; the system message folded into the first user turn.</summary>
    Gemma,

    /// <summary><c>llama3</c>: <c>&lt;|start_header_id|&gt;role&lt;|end_header_id|&gt;\n\ncontent&lt;|eot_id|&gt;</c>.</summary>
    Llama3,
}
