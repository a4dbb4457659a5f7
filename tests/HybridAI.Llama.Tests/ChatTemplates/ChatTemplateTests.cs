namespace HybridAI.Llama.Tests;

/// <summary>
/// Expected strings are llama.cpp's (tests/test-chat-template.cpp, "expected_output", the output of
/// llm_chat_apply_template) for its standard conversation; llama2-sys and zephyr, which that file does not list, follow
/// llm_chat_apply_template's code.
/// </summary>
public sealed class ChatTemplateTests
{
    private static readonly ChatTurn[] s_conversation =
    [
        new("system", "You are a helpful assistant"),
        new("user", "Hello"),
        new("assistant", "Hi there"),
        new("user", "Who are you"),
        new("assistant", "   I am an assistant   "),
        new("user", "Another question"),
    ];

    public static TheoryData<string, string> Expected => new()
    {
        {
            "chatml",
            "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\nHi there<|im_end|>\n<|im_start|>user\nWho are you<|im_end|>\n<|im_start|>assistant\n   I am an assistant   <|im_end|>\n<|im_start|>user\nAnother question<|im_end|>\n<|im_start|>assistant\n"
        },
        {
            "llama2",
            "[INST] You are a helpful assistant\nHello [/INST]Hi there</s>[INST] Who are you [/INST]   I am an assistant   </s>[INST] Another question [/INST]"
        },
        {
            "llama2-sys",
            "[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\nHello [/INST]Hi there</s>[INST] Who are you [/INST]   I am an assistant   </s>[INST] Another question [/INST]"
        },
        {
            "llama2-sys-bos",
            "[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\nHello [/INST]Hi there</s><s>[INST] Who are you [/INST]   I am an assistant   </s><s>[INST] Another question [/INST]"
        },
        {
            "llama2-sys-strip",
            "[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\nHello [/INST]Hi there</s>[INST] Who are you [/INST]I am an assistant</s>[INST] Another question [/INST]"
        },
        {
            "mistral-v1",
            " [INST] You are a helpful assistant\n\nHello [/INST] Hi there</s> [INST] Who are you [/INST]    I am an assistant   </s> [INST] Another question [/INST]"
        },
        {
            "mistral-v3",
            "[INST] You are a helpful assistant\n\nHello[/INST] Hi there</s>[INST] Who are you[/INST] I am an assistant</s>[INST] Another question[/INST]"
        },
        {
            "mistral-v3-tekken",
            "[INST]You are a helpful assistant\n\nHello[/INST]Hi there</s>[INST]Who are you[/INST]   I am an assistant   </s>[INST]Another question[/INST]"
        },
        {
            "mistral-v7",
            "[SYSTEM_PROMPT] You are a helpful assistant[/SYSTEM_PROMPT][INST] Hello[/INST] Hi there</s>[INST] Who are you[/INST]    I am an assistant   </s>[INST] Another question[/INST]"
        },
        {
            "mistral-v7-tekken",
            "[SYSTEM_PROMPT]You are a helpful assistant[/SYSTEM_PROMPT][INST]Hello[/INST]Hi there</s>[INST]Who are you[/INST]   I am an assistant   </s>[INST]Another question[/INST]"
        },
        {
            "phi3",
            "<|system|>\nYou are a helpful assistant<|end|>\n<|user|>\nHello<|end|>\n<|assistant|>\nHi there<|end|>\n<|user|>\nWho are you<|end|>\n<|assistant|>\n   I am an assistant   <|end|>\n<|user|>\nAnother question<|end|>\n<|assistant|>\n"
        },
        {
            "phi4",
            "<|im_start|>system<|im_sep|>You are a helpful assistant<|im_end|><|im_start|>user<|im_sep|>Hello<|im_end|><|im_start|>assistant<|im_sep|>Hi there<|im_end|><|im_start|>user<|im_sep|>Who are you<|im_end|><|im_start|>assistant<|im_sep|>   I am an assistant   <|im_end|><|im_start|>user<|im_sep|>Another question<|im_end|><|im_start|>assistant<|im_sep|>"
        },
        {
            "zephyr",
            "<|system|>\nYou are a helpful assistant<|endoftext|>\n<|user|>\nHello<|endoftext|>\n<|assistant|>\nHi there<|endoftext|>\n<|user|>\nWho are you<|endoftext|>\n<|assistant|>\n   I am an assistant   <|endoftext|>\n<|user|>\nAnother question<|endoftext|>\n<|assistant|>\n"
        },
        {
            "gemma",
            "<start_of_turn>user\nYou are a helpful assistant\n\nHello<end_of_turn>\n<start_of_turn>model\nHi there<end_of_turn>\n<start_of_turn>user\nWho are you<end_of_turn>\n<start_of_turn>model\nI am an assistant<end_of_turn>\n<start_of_turn>user\nAnother question<end_of_turn>\n<start_of_turn>model\n"
        },
        {
            "llama3",
            "<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWho are you<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nI am an assistant<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nAnother question<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
        },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void Render_StandardConversation_MatchesLlamaCpp(string family, string expected)
    {
        var template = ChatTemplate.FromName(family);
        Assert.Equal(expected, template.Render(s_conversation, addGenerationPrompt: true));
    }

    [Fact]
    public void FamilyNames_AllHaveExpectedOutputs()
    {
        var tested = Expected.Select(row => row.Data.Item1).ToHashSet();
        Assert.All(ChatTemplate.FamilyNames, name => Assert.Contains(name, tested));
    }

    [Theory]
    [InlineData("chatml", "<|im_start|>user\nHi<|im_end|>\n")]
    [InlineData("llama3", "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>")]
    [InlineData("phi3", "<|user|>\nHi<|end|>\n")]
    [InlineData("gemma", "<start_of_turn>user\nHi<end_of_turn>\n")]
    [InlineData("zephyr", "<|user|>\nHi<|endoftext|>\n")]
    public void Render_WithoutGenerationPrompt_EndsAfterLastMessage(string family, string expected)
    {
        Assert.Equal(expected, ChatTemplate.FromName(family).Render([new ChatTurn("user", "Hi")], addGenerationPrompt: false));
    }

    [Fact]
    public void Render_GemmaSystemOnlyBeforeUser_FoldedIntoFirstUserTurnOnly()
    {
        var text = ChatTemplate.FromName("gemma").Render(
            [new("system", " Be brief. "), new("user", "One"), new("assistant", "1"), new("user", "Two")]);
        Assert.Equal(
            "<start_of_turn>user\nBe brief.\n\nOne<end_of_turn>\n<start_of_turn>model\n1<end_of_turn>\n<start_of_turn>user\nTwo<end_of_turn>\n<start_of_turn>model\n",
            text);
    }

    [Fact]
    public void FromName_IsCaseInsensitive()
    {
        Assert.Equal("llama3", ChatTemplate.FromName("Llama3").Name);
    }

    [Fact]
    public void FromName_Unknown_RefusedWithValidNames()
    {
        var ex = Assert.Throws<HybridAIException>(() => ChatTemplate.FromName("alpaca"));
        Assert.Contains("'alpaca'", ex.Message, StringComparison.Ordinal);
        foreach (var name in ChatTemplate.FamilyNames)
        {
            Assert.Contains(name, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Resolve_ExplicitFamilyWinsOverFile()
    {
        Assert.Equal("gemma", ChatTemplate.Resolve("gemma", "{{ '<|im_start|>' }}").Name);
    }

    [Fact]
    public void Resolve_NoTemplateAnywhere_FallsBackToChatMl()
    {
        Assert.Equal("chatml", ChatTemplate.Resolve(null, null).Name);
    }

    [Fact]
    public void Resolve_FileTemplateRecognizedButNotRendered_RefusedNamingIt()
    {
        var ex = Assert.Throws<HybridAIException>(() => ChatTemplate.Resolve(null,
            "{{ bos_token }}{{ '<|START_OF_TURN_TOKEN|><|USER_TOKEN|>' + content.strip() + '<|END_OF_TURN_TOKEN|>' }}"));
        Assert.Contains("command-r", ex.Message, StringComparison.Ordinal);
        Assert.Contains("llama3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_UnrecognizedFileTemplate_RefusedWithValidNames()
    {
        var ex = Assert.Throws<HybridAIException>(() => ChatTemplate.Resolve(null, "INVALID TEMPLATE"));
        Assert.Contains("ChatTemplate", ex.Message, StringComparison.Ordinal);
        Assert.Contains("chatml", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trim_OnlyCSpaces()
    {
        Assert.Equal("a\u00A0", ChatTemplate.Trim(" \t\n\v\f\ra\u00A0\r\n"));
    }
}
