namespace HybridAI.Llama.Tests;

/// <summary>Detection from real <c>tokenizer.chat_template</c> sources (excerpts of the templates in llama.cpp's tests).</summary>
public sealed class ChatTemplateDetectorTests
{
    public static TheoryData<string, string> Templates => new()
    {
        {
            // teknium/OpenHermes-2.5-Mistral-7B
            "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
            "chatml"
        },
        {
            // mistralai/Mistral-7B-Instruct-v0.2 (old, no system prompt)
            "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% endif %}{% endfor %}",
            "llama2"
        },
        {
            // TheBloke/FusionNet_34Bx2_MoE-AWQ
            "{%- for idx in range(0, messages|length) -%}{%- if messages[idx]['role'] == 'user' -%}{%- if idx > 1 -%}{{- bos_token + '[INST] ' + messages[idx]['content'] + ' [/INST]' -}}{%- else -%}{{- messages[idx]['content'] + ' [/INST]' -}}{%- endif -%}{% elif messages[idx]['role'] == 'system' %}{{- '[INST] <<SYS>>\\n' + messages[idx]['content'] + '\\n<</SYS>>\\n\\n' -}}{% endif %}{% endfor %}",
            "llama2-sys-bos"
        },
        {
            // bofenghuang/vigogne-2-70b-chat
            "{{ bos_token }}{% if message['role'] == 'user' %}{{ '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'system' %}{{ '<<SYS>>\\n' + content.strip() + '\\n<</SYS>>\\n\\n' }}{% endif %}",
            "llama2-sys-strip"
        },
        {
            // a llama-2-chat style template with a <<SYS>> block
            "{% if message['role'] == 'system' %}{{ '[INST] <<SYS>>\\n' + message['content'] + '\\n<</SYS>>\\n\\n' }}{% elif message['role'] == 'user' %}{{ message['content'] + ' [/INST]' }}{% endif %}",
            "llama2-sys"
        },
        {
            // mistralai/Mistral-7B-Instruct-v0.2 (mistralai 'v1' template with a system prompt)
            "{%- if message['role'] == 'user' %}{%- if loop.first and system_message is defined %}{{- ' [INST] ' + system_message + '\\n\\n' + message['content'] + ' [/INST]' }}{%- else %}{{- ' [INST] ' + message['content'] + ' [/INST]' }}{%- endif %}{%- endif %}",
            "mistral-v1"
        },
        {
            // Mistral-Large-Instruct-2407 (mistralai 'v3')
            "{%- if tools is not none and (message == user_messages[-1]) %}{{- \"[AVAILABLE_TOOLS] [\" }}{%- endif %}{%- if loop.last and system_message is defined %}{{- \"[INST] \" + system_message + \"\\n\\n\" + message[\"content\"] + \"[/INST]\" }}{%- else %}{{- \"[INST] \" + message[\"content\"] + \"[/INST]\" }}{%- endif %}",
            "mistral-v3"
        },
        {
            // Mistral-Nemo-Instruct-2407 (mistralai 'v3-tekken')
            "{%- if tools is not none and (message == user_messages[-1]) %}{{- \"[AVAILABLE_TOOLS][\" }}{%- endif %}{%- if loop.last and system_message is defined %}{{- \"[INST]\" + system_message + \"\\n\\n\" + message[\"content\"] + \"[/INST]\" }}{%- else %}{{- \"[INST]\" + message[\"content\"] + \"[/INST]\" }}{%- endif %}",
            "mistral-v3-tekken"
        },
        {
            // mistralai/Mistral-Large-Instruct-2411 (mistralai 'v7')
            "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + '[/INST]' }}{% elif message['role'] == 'system' %}{{ '[SYSTEM_PROMPT] ' + message['content'] + '[/SYSTEM_PROMPT]' }}{% endif %}{% endfor %}",
            "mistral-v7"
        },
        {
            // google/gemma-7b-it
            "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}",
            "gemma"
        },
        {
            // Meta-Llama-3-8B-Instruct
            "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}",
            "llama3"
        },
        {
            // Phi-3-small
            "{{ bos_token }}{% for message in messages %}{{'<|' + message['role'] + '|>' + '\n' + message['content'] + '<|end|>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}",
            "phi3"
        },
        {
            // phi-4
            "{% for message in messages %}{% if (message['role'] == 'system') %}{{'<|im_start|>system<|im_sep|>' + message['content'] + '<|im_end|>'}}{% elif (message['role'] == 'user') %}{{'<|im_start|>user<|im_sep|>' + message['content'] + '<|im_end|><|im_start|>assistant<|im_sep|>'}}{% endif %}{% endfor %}",
            "phi4"
        },
        {
            // stabilityai/stablelm-2-zephyr-1_6b style: <|user|> turns closed by <|endoftext|>
            "{% for message in messages %}{% if message['role'] == 'user' %}{{ '<|user|>\n' + message['content'] + '<|endoftext|>' }}{% elif message['role'] == 'system' %}{{ '<|system|>\n' + message['content'] + '<|endoftext|>' }}{% endif %}{% endfor %}",
            "zephyr"
        },
        {
            // CohereForAI/c4ai-command-r-plus: recognized, not rendered
            "{{ bos_token }}{{ '<|START_OF_TURN_TOKEN|><|USER_TOKEN|>' + content.strip() + '<|END_OF_TURN_TOKEN|>' }}",
            "command-r"
        },
        {
            // a family name is itself a template
            "llama3",
            "llama3"
        },
    };

    [Theory]
    [MemberData(nameof(Templates))]
    public void Detect_RealTemplate_FindsLlamaCppFamily(string template, string expected)
    {
        Assert.Equal(expected, ChatTemplateDetector.Detect(template));
    }

    [Fact]
    public void Detect_Unknown_ReturnsNull()
    {
        Assert.Null(ChatTemplateDetector.Detect("INVALID TEMPLATE"));
    }

    [Fact]
    public void Resolve_FromFileTemplate_RendersDetectedFamily()
    {
        var template = ChatTemplate.Resolve(null, "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>' }}");
        Assert.Equal("llama3", template.Name);
        Assert.Equal(ChatTemplateKind.Llama3, template.Kind);
    }
}
