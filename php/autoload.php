<?php

declare(strict_types=1);

/**
 * PSR-4 autoloader for hosts that do not use Composer (GLPI plugins, scripts): require this
 * file once. With Composer, the "autoload" section of composer.json does the same.
 */
spl_autoload_register(static function (string $class): void {
    $prefixes = ['GlpiKey\\Tests\\' => __DIR__ . '/tests/', 'GlpiKey\\' => __DIR__ . '/src/'];
    foreach ($prefixes as $prefix => $dir) {
        if (str_starts_with($class, $prefix)) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
});
