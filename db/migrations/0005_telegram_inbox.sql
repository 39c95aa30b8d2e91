ALTER TABLE `session_photos` ADD `telegram_update_id` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `session_photos_telegram_update_idx` ON `session_photos` (`telegram_update_id`);--> statement-breakpoint
ALTER TABLE `telegram_updates` ADD `payload` text;--> statement-breakpoint
ALTER TABLE `telegram_updates` ADD `chat_id` integer;--> statement-breakpoint
ALTER TABLE `telegram_updates` ADD `state` text DEFAULT 'done' NOT NULL;--> statement-breakpoint
ALTER TABLE `telegram_updates` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `telegram_updates` ADD `claimed_by` text;--> statement-breakpoint
ALTER TABLE `telegram_updates` ADD `claimed_until` integer;--> statement-breakpoint
ALTER TABLE `telegram_updates` ADD `processed_at` integer;--> statement-breakpoint
CREATE INDEX `telegram_updates_state_idx` ON `telegram_updates` (`state`,`update_id`);--> statement-breakpoint
CREATE INDEX `telegram_updates_chat_idx` ON `telegram_updates` (`chat_id`,`update_id`);