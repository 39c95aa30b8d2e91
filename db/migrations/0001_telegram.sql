CREATE TABLE `telegram_links` (
	`session_id` text PRIMARY KEY NOT NULL,
	`start_token` text NOT NULL,
	`chat_id` integer,
	`user_id` integer,
	`language_code` text,
	`created_at` integer NOT NULL,
	`linked_at` integer,
	`delivered_result_id` text,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `telegram_links_start_token_idx` ON `telegram_links` (`start_token`);--> statement-breakpoint
CREATE INDEX `telegram_links_chat_idx` ON `telegram_links` (`chat_id`,`linked_at`);--> statement-breakpoint
CREATE TABLE `telegram_updates` (
	`update_id` integer PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `telegram_updates_received_at_idx` ON `telegram_updates` (`received_at`);