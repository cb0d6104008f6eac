<?php

declare(strict_types=1);

namespace GlpiKey;

/**
 * A suggested fix for a mistyped key: the one symbol that is probably wrong. Only a message:
 * a key is never accepted in corrected form.
 */
final class Correction
{
    /**
     * @param int $position 1-based position of the suspect character among the Unicode
     *                      characters of the text as given
     * @param int $group 1-based number of the group (symbols between separators after `GLPI`)
     * @param int $positionInGroup 1-based position of the character within its group
     * @param string $found the character as given
     * @param string $replacement the symbol that makes the check pass
     */
    public function __construct(
        public readonly int $position,
        public readonly int $group,
        public readonly int $positionInGroup,
        public readonly string $found,
        public readonly string $replacement,
        public readonly CorrectionStatus $status,
    ) {
    }

    public function withStatus(CorrectionStatus $status): self
    {
        return new self($this->position, $this->group, $this->positionInGroup, $this->found, $this->replacement, $status);
    }
}
