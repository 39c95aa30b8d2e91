ALTER TABLE `events` ADD `host_token` text;--> statement-breakpoint
CREATE UNIQUE INDEX `events_host_token_idx` ON `events` (`host_token`);