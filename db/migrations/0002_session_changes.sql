CREATE TABLE `session_changes` (
	`session_id` text NOT NULL,
	`version` integer NOT NULL,
	`snapshot` text NOT NULL,
	PRIMARY KEY(`session_id`, `version`),
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `sessions` ADD `version` integer DEFAULT 0 NOT NULL;