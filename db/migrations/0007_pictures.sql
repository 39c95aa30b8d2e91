CREATE TABLE `pictures` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`session_id` text,
	`token` text NOT NULL,
	`storage_key` text NOT NULL,
	`content_type` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pictures_token_idx` ON `pictures` (`token`);--> statement-breakpoint
CREATE UNIQUE INDEX `pictures_session_idx` ON `pictures` (`session_id`);--> statement-breakpoint
CREATE INDEX `pictures_event_idx` ON `pictures` (`event_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `pictures_expires_at_idx` ON `pictures` (`expires_at`);