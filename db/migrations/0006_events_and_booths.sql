CREATE TABLE `booth_pairings` (
	`id` text PRIMARY KEY NOT NULL,
	`booth_id` text NOT NULL,
	`code_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`booth_id`) REFERENCES `booths`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `booth_pairings_code_idx` ON `booth_pairings` (`code_hash`);--> statement-breakpoint
CREATE INDEX `booth_pairings_booth_idx` ON `booth_pairings` (`booth_id`);--> statement-breakpoint
CREATE TABLE `booths` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `booths_event_idx` ON `booths` (`event_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`starts_at` integer,
	`ends_at` integer,
	`locale` text DEFAULT 'en' NOT NULL,
	`caption` text,
	`theme` text NOT NULL,
	`layouts` text NOT NULL,
	`max_photos` integer NOT NULL,
	`ready_at` integer NOT NULL,
	`session_ttl_minutes` real NOT NULL,
	`retention_days` integer NOT NULL,
	`print_qr` integer NOT NULL,
	`consent_text` text,
	`wifi` text,
	`frame_key` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_default_idx` ON `events` (`is_default`) WHERE is_default = 1;--> statement-breakpoint
CREATE INDEX `events_created_at_idx` ON `events` (`created_at`);--> statement-breakpoint
ALTER TABLE `auth_sessions` ADD `booth_id` text REFERENCES `booths`(`id`) ON UPDATE no action ON DELETE cascade;--> statement-breakpoint
CREATE INDEX `auth_sessions_booth_idx` ON `auth_sessions` (`booth_id`);--> statement-breakpoint
-- The default event, so that every existing session has an event. created_at 0 marks it as made
-- here: at start-up db/default-event.ts gives it its values from the environment (EVENT_NAME,
-- MAX_UPLOADED_PHOTOS, ...), which SQL cannot read, and the moved sessions their limits.
INSERT INTO `events` (`id`, `name`, `is_default`, `locale`, `theme`, `layouts`, `max_photos`, `ready_at`, `session_ttl_minutes`, `retention_days`, `print_qr`, `created_at`, `updated_at`)
VALUES (
	lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))),
	'Photobooth', 1, 'en',
	'{"background":"#ffffff","text":"#1f2937","accent":"#f59e0b"}', '["grid","strip","single"]',
	5, 3, 30, 0, 0, 0, 0
);--> statement-breakpoint
-- sessions gains a NOT NULL foreign key, which ALTER TABLE cannot add: the table is rebuilt.
-- runMigrations (db/index.ts) turns foreign_keys off around the migrations, so dropping the old
-- table does not cascade to the photos, and checks every key afterwards.
CREATE TABLE `__new_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`telegram_user_id` integer,
	`telegram_username` text,
	`data` text DEFAULT '{}' NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	`event_id` text NOT NULL,
	`booth_id` text,
	`max_photos` integer NOT NULL,
	`ready_at` integer NOT NULL,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`booth_id`) REFERENCES `booths`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
INSERT INTO `__new_sessions` (`id`, `type`, `status`, `created_at`, `updated_at`, `expires_at`, `telegram_user_id`, `telegram_username`, `data`, `version`, `event_id`, `booth_id`, `max_photos`, `ready_at`)
SELECT `id`, `type`, `status`, `created_at`, `updated_at`, `expires_at`, `telegram_user_id`, `telegram_username`, `data`, `version`, (SELECT `id` FROM `events` WHERE `is_default` = 1), NULL, 5, 3 FROM `sessions`;--> statement-breakpoint
DROP TABLE `sessions`;--> statement-breakpoint
ALTER TABLE `__new_sessions` RENAME TO `sessions`;--> statement-breakpoint
CREATE INDEX `sessions_expires_at_idx` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE INDEX `sessions_created_at_idx` ON `sessions` (`created_at`);--> statement-breakpoint
CREATE INDEX `sessions_event_idx` ON `sessions` (`event_id`);
