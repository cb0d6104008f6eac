<?php

declare(strict_types=1);

// Composer's autoloader when `composer dump-autoload` was run, else a tiny PSR-4 loader
// (Packagist is not needed: the package has no dependencies but ext-sodium).
$composer = __DIR__ . '/../vendor/autoload.php';
if (is_file($composer)) {
    require $composer;
} else {
    require __DIR__ . '/../autoload.php';
}
